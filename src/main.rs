//! Command line only: parse arguments, call the library, print, exit.

mod server;

use azplint::diagnostic::Severity;
use azplint::report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "azplint",
    version,
    about = "Fast, offline linter for Azure Pipelines YAML",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Lint pipeline files (the default command)
    Check(CheckArgs),
    /// List every rule with its default severity
    Rules,
    /// Print a rule's documentation, or explain a sign-in error: a code (`AADSTS700024`,
    /// `700024`) or a pasted message or log line (`-` reads it from standard input)
    Explain {
        /// A rule id (`wif-unsupported-task`), an error code, or an error message
        #[arg(
            required = true,
            num_args = 1..,
            allow_hyphen_values = true,
            trailing_var_arg = true,
            value_name = "TOPIC"
        )]
        topic: Vec<String>,
    },
    /// Find known workload identity federation and sign-in errors in an Azure Pipelines log
    Diagnose {
        /// The log file (`-`: standard input)
        log: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = DiagnoseFormat::Human)]
        format: DiagnoseFormat,
    },
    /// Check a service connection export (`az devops service-endpoint show`, one or a list),
    /// optionally against its identity's federated credentials
    CheckConnection {
        /// The exported service connection(s), JSON (`-`: standard input)
        endpoint: PathBuf,
        /// The identity's federated credentials: `az ad app federated-credential list` output
        #[arg(long, value_name = "FILE")]
        federated_credentials: Option<PathBuf>,
    },
    /// Run the language server (LSP over standard input and output) for editors
    Server,
    /// List the service connections the pipelines use, with what converting each to workload
    /// identity federation breaks, and where
    Connections(ConnectionsArgs),
    /// Print the compiled pipeline: templates inlined, template expressions, conditionals and
    /// loops applied, parameters checked and defaulted (exit 1 when it doesn't compile)
    Expand {
        /// The pipeline file
        pipeline: PathBuf,
        /// A value for a parameter of the pipeline, read by its declared type (objects as YAML
        /// or JSON)
        #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = azplint::compile::parse_parameter)]
        parameters: Vec<(String, String)>,
        /// Output format
        #[arg(long, value_parser = ["yaml", "json"], default_value = "yaml")]
        format: String,
        /// Read `template: x.yml@ALIAS` from a local checkout (repeatable)
        #[arg(long = "repository", value_name = "ALIAS=PATH", value_parser = parse_repository)]
        repositories: Vec<(String, PathBuf)>,
        /// The repository root that `/path` templates start from [default: the nearest folder
        /// up from the pipeline that holds `.git`, else the pipeline's folder]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Clone)]
struct CheckArgs {
    /// Files or directories to lint [default: .]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding of this severity or worse exists (`never`: only 0 or 2)
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Print the diagnostics only: no summary line
    #[arg(long)]
    quiet: bool,
    /// When to use colors in the human format
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(flatten)]
    scope: Scope,
    /// The project's service connections, exported with `az devops service-endpoint list -o json`
    /// (only their names, types and schemes are read)
    #[arg(long, value_name = "FILE")]
    endpoints: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and exit 0)
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Lint standard input (`-`) as if it were the file at PATH (for editors)
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Skip files named on the command line that are not Azure Pipelines documents (for hooks
    /// that pass every YAML file)
    #[arg(long)]
    pipelines_only: bool,
    /// Apply the safe fixes to the files, then report what remains (with `-`, print the fixed
    /// text on standard output and the findings on standard error)
    #[arg(long, conflicts_with = "write_baseline")]
    fix: bool,
    /// With `--fix` or `--diff`: apply the unsafe fixes too (they may change what the pipeline
    /// does: review them)
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the unified diff of what `--fix` would change and change nothing (exit 1 when there
    /// is something to fix)
    #[arg(long, conflicts_with = "write_baseline")]
    diff: bool,
}

/// Which files a run reads and how it reads them: shared by `check` and `connections`.
#[derive(Args, Clone)]
struct Scope {
    /// Only lint files matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Map a repository alias to a local checkout, for `template: x.yml@ALIAS` (repeatable)
    #[arg(long, value_name = "ALIAS=PATH", value_parser = parse_repository)]
    repository: Vec<(String, PathBuf)>,
    /// Use this configuration file instead of the `.azplint.yml` found from the linted path up
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any `.azplint.yml`
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
}

#[derive(Args, Clone)]
struct ConnectionsArgs {
    /// Files or directories to read [default: .]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ConnectionsFormat::Human)]
    format: ConnectionsFormat,
    /// Exit with 1 when a connection is `blocked` or `needs-changes`
    #[arg(long)]
    check: bool,
    /// Service connections exported with `az devops service-endpoint list -o json`: their schemes
    /// (nothing from `authorization.parameters` is read)
    #[arg(long, value_name = "FILE")]
    endpoints: Option<PathBuf>,
    #[command(flatten)]
    scope: Scope,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConnectionsFormat {
    Human,
    Json,
    Markdown,
}

fn parse_repository(s: &str) -> Result<(String, PathBuf), String> {
    let (alias, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected ALIAS=PATH, got `{s}`"))?;
    if alias.trim().is_empty() || path.trim().is_empty() {
        return Err(format!("expected ALIAS=PATH, got `{s}`"));
    }
    let path = PathBuf::from(path);
    if !path.is_dir() {
        return Err(format!("`{}` is not a directory", path.display()));
    }
    Ok((alias.trim().to_string(), path))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// miette's graphical report
    Human,
    /// one line per finding: `path:line:col: severity[rule-id]: message`
    Short,
    /// one JSON object
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// Azure Pipelines logging commands (`task.logissue`)
    Azure,
    /// JUnit XML, one test case per file
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    tune_allocator();
    std::panic::set_hook(Box::new(|info| {
        eprintln!("azplint: internal error: {info}");
        eprintln!("This is a bug in azplint; please report it with the file that triggered it.");
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => ExitCode::from(2),
    }
}

/// glibc's allocator grows each thread's heap a few pages at a time, one `mprotect` call each:
/// about 1,650 of the 2,000 such calls of a corpus run go when it grows 8 MiB at a time instead.
/// The pages stay untouched (not resident) until used.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other thread
    // starts, and a refused value leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 8 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn run() -> ExitCode {
    let cli = Cli::parse();
    // The run's threads compile pipelines where they lint them: they get the compiler's stack
    // (address space only: just the pages a deep template touches are ever mapped). Made after
    // the arguments are read, so that `--version` and `--help` start no thread.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(azplint::compile::COMPILE_STACK)
        .start_handler(|_| azplint::compile::big_stack_thread())
        .build_global();
    match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::Rules) => rules(),
        Some(Command::Explain { topic }) => explain(&topic),
        Some(Command::Diagnose { log, format }) => diagnose(&log, format),
        Some(Command::CheckConnection {
            endpoint,
            federated_credentials,
        }) => check_connection(&endpoint, federated_credentials.as_deref()),
        Some(Command::Connections(args)) => connections(args),
        Some(Command::Server) => server::run(),
        Some(Command::Expand {
            pipeline,
            parameters,
            format,
            repositories,
            root,
        }) => expand(&pipeline, parameters, &format, repositories, root),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "azplint", &mut out);
            print_stdout(&String::from_utf8_lossy(&out))
        }
        None => check(cli.check),
    }
}

fn expand(
    pipeline: &std::path::Path,
    parameters: Vec<(String, String)>,
    format: &str,
    repositories: Vec<(String, PathBuf)>,
    root: Option<PathBuf>,
) -> ExitCode {
    if let Some(r) = root.as_ref().filter(|r| !r.is_dir()) {
        eprintln!("error: --root {} is not a directory", r.display());
        return ExitCode::from(2);
    }
    let options = azplint::compile::ExpandOptions {
        parameters,
        repositories: repositories.into_iter().collect(),
        root,
    };
    match azplint::compile::expand(pipeline, &options) {
        Ok(compiled) => {
            for n in &compiled.notes {
                eprintln!("note: {n}");
            }
            print_stdout(&if format == "json" {
                compiled.to_json()
            } else {
                compiled.to_yaml()
            })
        }
        Err(e) => {
            for n in &e.notes {
                eprintln!("note: {n}");
            }
            eprintln!("{e}");
            ExitCode::from(if e.usage { 2 } else { 1 })
        }
    }
}

fn rules() -> ExitCode {
    let width = azplint::rules::RULES
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in azplint::rules::RULES {
        out.push_str(&format!(
            "{:<width$}  {:<8} {:<12} {:<4} {}\n",
            r.id,
            r.severity.as_str(),
            r.category.as_str(),
            if r.default_enabled { "on" } else { "off" },
            r.summary
        ));
    }
    print_stdout(&out)
}

fn explain(topic: &[String]) -> ExitCode {
    let joined = topic.join(" ");
    let text = if joined.trim() == "-" {
        match read_input(std::path::Path::new("-")) {
            Ok((_, t)) => t,
            Err(e) => {
                eprintln!("azplint: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        joined
    };
    let topic = text.trim();
    if let Some(doc) = azplint::docs::page(topic) {
        return print_stdout(doc);
    }
    // A code, a pasted message or log line: the table of sign-in errors.
    if let Some(out) = azplint::wif::errors::explain(topic) {
        return print_stdout(&report::defang_lines(&out));
    }
    let shown: String = match topic.chars().count() {
        n if n > 80 => format!("{}…", topic.chars().take(80).collect::<String>()),
        _ => topic.to_string(),
    };
    let code_like = !azplint::wif::errors::codes_in(topic).is_empty()
        || topic.chars().all(|c| c.is_ascii_digit());
    if code_like {
        let known: Vec<&str> = azplint::wif::errors::table()
            .iter()
            .flat_map(|e| e.codes.iter().map(String::as_str))
            .collect();
        let digits: String = azplint::wif::errors::codes_in(topic)
            .first()
            .map(|c| c.trim_start_matches("AADSTS").to_string())
            .unwrap_or_else(|| topic.to_string());
        eprintln!(
            "azplint: `{shown}` is not in azplint's table of sign-in errors (the codes and messages \
             of Microsoft's workload identity federation troubleshooting guides)\n\
             hint: the table knows {}; Microsoft Entra ID describes any code at \
             https://login.microsoftonline.com/error?code={digits}",
            known.join(", ")
        );
        return ExitCode::from(2);
    }
    let ids = azplint::rules::RULES.iter().map(|r| r.id);
    match azplint::suggest::closest(topic, ids) {
        Some(s) => eprintln!(
            "azplint: no rule `{shown}`; did you mean `{s}`? (`azplint rules` lists them)"
        ),
        None => eprintln!(
            "azplint: no rule, error code or known error message matches `{shown}`: give a rule \
             id (`azplint rules` lists them), a code such as AADSTS700024, or paste the error \
             message"
        ),
    }
    ExitCode::from(2)
}

/// A file's text, or standard input's for `-`, with the name to show.
fn read_input(path: &std::path::Path) -> Result<(String, String), String> {
    let mut bytes = Vec::new();
    let (name, read) = if path.as_os_str() == "-" {
        let r = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes);
        ("<stdin>".to_string(), r.map(|_| ()))
    } else {
        let r = std::fs::read(path).map(|b| bytes = b);
        (path.display().to_string(), r)
    };
    read.map_err(|e| format!("can't read `{name}`: {e}"))?;
    Ok((name, String::from_utf8_lossy(&bytes).into_owned()))
}

#[derive(Clone, Copy, ValueEnum)]
enum DiagnoseFormat {
    /// text for people
    Human,
    /// one JSON object
    Json,
}

fn diagnose(log: &std::path::Path, format: DiagnoseFormat) -> ExitCode {
    let (name, text) = match read_input(log) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    let hits = azplint::wif::diagnose::scan(&text);
    // Log lines are printed back: break the runner markers in them.
    let out = match format {
        DiagnoseFormat::Human => {
            report::defang_lines(&azplint::wif::diagnose::render_human(&name, &hits))
        }
        DiagnoseFormat::Json => {
            report::defang_json(&azplint::wif::diagnose::render_json(&name, &hits))
        }
    };
    let code = print_stdout(&out);
    if code != ExitCode::SUCCESS {
        return code;
    }
    if hits.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn check_connection(endpoint: &std::path::Path, credentials: Option<&std::path::Path>) -> ExitCode {
    use azplint::wif::connection;
    let loaded = read_input(endpoint).and_then(|(name, text)| {
        connection::parse_endpoints(&text).map_err(|e| format!("`{name}`: {}", e.0))
    });
    let endpoints = match loaded {
        Ok(e) => e,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    let creds = match credentials.map(|p| {
        read_input(p).and_then(|(name, text)| {
            connection::parse_credentials(&text).map_err(|e| format!("`{name}`: {}", e.0))
        })
    }) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    let reports = connection::check_all(&endpoints, creds.as_deref());
    let code = print_stdout(&report::defang_lines(&connection::render(
        &reports,
        creds.as_deref(),
    )));
    if code != ExitCode::SUCCESS {
        return code;
    }
    if reports.iter().any(|r| r.has_problem()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The configuration: `--config FILE`, else `.azplint.yml` from the first linted path up.
fn load_config(
    args: &CheckArgs,
    paths: &[PathBuf],
) -> Result<Option<azplint::config::Loaded>, String> {
    if args.scope.no_config {
        return Ok(None);
    }
    let path = match &args.scope.config {
        Some(p) => Some(p.clone()),
        None => {
            let start = args
                .stdin_filename
                .as_ref()
                .and_then(|p| {
                    p.parent().map(|d| {
                        if d.as_os_str().is_empty() {
                            PathBuf::from(".")
                        } else {
                            d.to_path_buf()
                        }
                    })
                })
                .or_else(|| paths.first().cloned())
                .unwrap_or_else(|| PathBuf::from("."));
            azplint::config::Loaded::discover(&start)
        }
    };
    match path {
        None => Ok(None),
        Some(p) => azplint::load_config(&p)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

fn print_stdout(s: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`azplint | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("azplint: can't write output: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let options = match check_options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    if args.fix || args.diff {
        return check_fix(&args, &options);
    }
    let report = match azplint::lint(&options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(file) = &args.write_baseline {
        return write_baseline(&report, file, args.quiet);
    }
    let fail_on = args.fail_on.threshold();
    if let Err(code) = emit(&args, &report, fail_on) {
        return code;
    }
    // The summary goes to stderr after a human report, and after any report written to a file
    // (nothing else tells the terminal how the run went); `--quiet` drops it, like ruff's.
    if !args.quiet && (args.format == Format::Human || args.output.is_some()) {
        eprintln!("{}", report::summary(&report));
        if let Some(hint) = report::fixable_hint(&report, args.unsafe_fixes) {
            eprintln!("{hint}");
        }
    }
    exit_for(&report, fail_on)
}

/// The report in the chosen format, to `--output` or standard output (colors only when it goes to
/// a terminal).
fn emit(
    args: &CheckArgs,
    report: &azplint::Report,
    fail_on: Option<Severity>,
) -> Result<(), ExitCode> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let text = render(args, report, fail_on, to_terminal);
    match &args.output {
        Some(file) => std::fs::write(file, text.as_bytes()).map_err(|e| {
            eprintln!("azplint: can't write `{}`: {e}", file.display());
            ExitCode::from(2)
        }),
        None => match print_stdout(&text) {
            code if code == ExitCode::SUCCESS => Ok(()),
            code => Err(code),
        },
    }
}

fn exit_for(report: &azplint::Report, fail_on: Option<Severity>) -> ExitCode {
    if report
        .diagnostics()
        .any(|(_, d)| report::fails(d.severity, fail_on))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `check --fix` and `check --diff`.
fn check_fix(args: &CheckArgs, options: &azplint::Options) -> ExitCode {
    let mode = if args.unsafe_fixes {
        azplint::fix::Mode::Unsafe
    } else {
        azplint::fix::Mode::Safe
    };
    let fixed = match azplint::fix(options, mode) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    for d in &fixed.dropped {
        eprintln!(
            "azplint: {}:{}: the `{}` fix was not applied: {}",
            d.display, d.line, d.rule, d.why
        );
    }
    if args.diff {
        let mut out = String::new();
        for f in &fixed.files {
            out.push_str(&azplint::fix::unified_diff(&f.display, &f.before, &f.after));
        }
        let code = print_stdout(&out);
        if code != ExitCode::SUCCESS {
            return code;
        }
        if !args.quiet {
            let n = fixed.fixed;
            eprintln!(
                "Would fix {n} finding{} in {} file{}",
                if n == 1 { "" } else { "s" },
                fixed.files.len(),
                if fixed.files.len() == 1 { "" } else { "s" }
            );
        }
        return if fixed.files.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    let mut failed = false;
    let mut count = fixed
        .files
        .iter()
        .filter(|f| f.stdin)
        .map(|f| f.fixed)
        .sum::<usize>();
    for f in fixed.files.iter().filter(|f| !f.stdin) {
        match write_fixed(f) {
            Ok(()) => count += f.fixed,
            Err(e) => {
                eprintln!("azplint: {}: {e}; its fixes were not written", f.display);
                failed = true;
            }
        }
    }
    let fail_on = args.fail_on.threshold();
    // When a file could not be written, what remains is what is on disk: lint it again.
    let relinted;
    let report = if failed {
        relinted = match azplint::lint(options) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("azplint: {e}");
                return ExitCode::from(2);
            }
        };
        &relinted
    } else {
        &fixed.report
    };
    let stdin = options.stdin.as_ref();
    if let Some((_, bytes)) = stdin {
        // An editor's buffer: the fixed text (or the text as given) on stdout, the findings on
        // stderr.
        let text = fixed
            .files
            .iter()
            .find(|f| f.stdin)
            .map(|f| f.after.clone().into_bytes())
            .unwrap_or_else(|| bytes.clone());
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout.write_all(&text).and_then(|_| stdout.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("azplint: can't write output: {e}");
                return ExitCode::from(2);
            }
        }
        let rendered = render(args, report, fail_on, false);
        if !rendered.is_empty() {
            eprint!("{rendered}");
        }
    } else if let Err(code) = emit(args, report, fail_on) {
        return code;
    }
    if !args.quiet {
        let remaining = report.diagnostics().count();
        let n = count;
        eprintln!(
            "Fixed {n} finding{} ({remaining} remaining)",
            if n == 1 { "" } else { "s" }
        );
        if let Some(hint) = report::fixable_hint(report, args.unsafe_fixes) {
            eprintln!("{hint}");
        }
    }
    if failed {
        return ExitCode::from(2);
    }
    exit_for(report, fail_on)
}

/// Write a fixed file: only a regular file (never through a symlink, never a read-only file), only
/// when it still holds the text that was linted, keeping its byte-order mark and permissions;
/// atomically (a temporary file in the same directory, then a rename over it).
fn write_fixed(f: &azplint::FixedFile) -> Result<(), String> {
    let meta =
        std::fs::symlink_metadata(&f.path).map_err(|e| format!("can't read it again: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("it is a symbolic link, which azplint does not replace".into());
    }
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.permissions().readonly() {
        return Err("it is read-only".into());
    }
    let current = std::fs::read(&f.path).map_err(|e| format!("can't read it again: {e}"))?;
    let bom = current.starts_with("\u{feff}".as_bytes());
    let body = if bom { &current[3..] } else { &current[..] };
    if body != f.before.as_bytes() {
        return Err("it changed while azplint ran".into());
    }
    let mut text = Vec::with_capacity(f.after.len() + 3);
    if bom {
        text.extend_from_slice("\u{feff}".as_bytes());
    }
    text.extend_from_slice(f.after.as_bytes());
    let dir = f
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.azplint-{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, &text)
        .and_then(|_| std::fs::set_permissions(&tmp, meta.permissions()))
        .and_then(|_| std::fs::rename(&tmp, &f.path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("can't write it: {e}"));
    }
    Ok(())
}

/// `azplint connections`: the inventory of service connections and their verdicts.
fn connections(args: ConnectionsArgs) -> ExitCode {
    // The same options as `check`, so that paths, configuration and mappings mean the same.
    let as_check = CheckArgs {
        paths: args.paths.clone(),
        format: Format::Human,
        output: None,
        fail_on: FailOn::Warning,
        quiet: false,
        color: Color::Never,
        scope: args.scope.clone(),
        baseline: None,
        write_baseline: None,
        stdin_filename: None,
        pipelines_only: false,
        endpoints: args.endpoints.clone(),
        fix: false,
        unsafe_fixes: false,
        diff: false,
    };
    let options = match check_options(&as_check) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    let (inventory, unreadable) = match azplint::connections(&options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    use azplint::wif::connections as inv;
    let text = match args.format {
        ConnectionsFormat::Human => inv::render_human(&inventory),
        ConnectionsFormat::Json => report::defang_json(&inv::render_json(&inventory)),
        ConnectionsFormat::Markdown => inv::render_markdown(&inventory),
    };
    let code = print_stdout(&text);
    if code != ExitCode::SUCCESS {
        return code;
    }
    // Files that could not be read or parsed: their connections are missing from the report.
    for f in &unreadable {
        for d in &f.diagnostics {
            eprintln!(
                "azplint: {}: {} ({}); its connections are not listed",
                f.source.display, d.message, d.rule
            );
        }
    }
    if !unreadable.is_empty() {
        ExitCode::from(2)
    } else if args.check && inventory.has_problem() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Standard input, when the paths name `-` (`--stdin-filename PATH -`).
fn read_stdin(args: &CheckArgs) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let reading_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    match (&args.stdin_filename, reading_stdin) {
        (None, true) => Err("`-` reads standard input and needs `--stdin-filename PATH`".into()),
        (Some(path), true) => {
            // Read at most one byte more than azplint reads from a file: enough to tell
            // `file-too-large` without holding an unbounded input.
            let mut bytes = Vec::new();
            let limit = azplint::MAX_FILE_BYTES + 1;
            std::io::Read::read_to_end(
                &mut std::io::Read::take(std::io::stdin(), limit),
                &mut bytes,
            )
            .map_err(|e| format!("can't read standard input: {e}"))?;
            Ok(Some((path.clone(), bytes)))
        }
        (Some(_), false) => Err("`--stdin-filename` needs `-` among the paths".into()),
        (None, false) => Ok(None),
    }
}

/// The library's options for `check`: paths, standard input, configuration, baseline, filters and
/// repository mappings (the command line wins over the configuration).
fn check_options(args: &CheckArgs) -> Result<azplint::Options, String> {
    let stdin = read_stdin(args)?;
    let paths: Vec<PathBuf> = if stdin.is_some() {
        args.paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .cloned()
            .collect()
    } else if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if let Some(p) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return Err(format!("path `{}` does not exist", p.display()));
    }
    let mut config = load_config(args, &paths)?;
    if let Some(file) = &args.endpoints {
        config
            .get_or_insert_with(|| azplint::config::Loaded::empty(PathBuf::from(".")))
            .import_endpoints(file)
            .map_err(|e| e.to_string())?;
    }
    let baseline = match &args.baseline {
        None => None,
        Some(file) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    serde_json::from_str::<azplint::filter::Baseline>(&t).map_err(|e| e.to_string())
                })
                .map_err(|e| format!("can't read the baseline `{}`: {e}", file.display()))?,
        ),
    };
    let mut include = args.scope.include.clone();
    let mut exclude = args.scope.exclude.clone();
    let mut repositories: std::collections::HashMap<String, PathBuf> = Default::default();
    if let Some(c) = &config {
        include.extend(c.config.include.iter().map(|g| g.value.clone()));
        exclude.extend(c.config.exclude.iter().map(|g| g.value.clone()));
        repositories.extend(c.repositories());
    }
    repositories.extend(args.scope.repository.iter().cloned());
    Ok(azplint::Options {
        paths,
        filters: azplint::discover::Filters { include, exclude },
        repositories,
        config,
        baseline,
        pipelines_only: args.pipelines_only,
        stdin,
        buffers: Default::default(),
    })
}

/// `--write-baseline FILE`: record the findings' fingerprints.
fn write_baseline(report: &azplint::Report, file: &std::path::Path, quiet: bool) -> ExitCode {
    let baseline = azplint::filter::Baseline {
        version: 1,
        findings: report
            .files
            .iter()
            .flat_map(|f| azplint::filter::fingerprints(&f.source, &f.diagnostics))
            .collect(),
    };
    let text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
    if let Err(e) = std::fs::write(file, text + "\n") {
        eprintln!("azplint: can't write `{}`: {e}", file.display());
        return ExitCode::from(2);
    }
    if !quiet {
        eprintln!(
            "azplint: recorded {} findings in `{}`",
            baseline.findings.len(),
            file.display()
        );
    }
    ExitCode::SUCCESS
}

/// The report in the chosen format.
fn render(
    args: &CheckArgs,
    report: &azplint::Report,
    fail_on: Option<Severity>,
    to_terminal: bool,
) -> String {
    match args.format {
        // The human and JSON reporters print file text as is; break CI command markers in it
        // (see `report`), as every other format does.
        Format::Json => report::defang_json(&report::json::render(report)),
        Format::Short => report::short::render(report),
        Format::Sarif => report::sarif::render(report),
        Format::Github => report::github::render(report),
        Format::Azure => report::azure::render(report),
        Format::Junit => report::junit::render(report, fail_on),
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
            };
            let width = if to_terminal {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(120)
            } else {
                100
            };
            report::defang_lines(&report::human::render(
                report,
                report::human::Style { color, width },
            ))
        }
    }
}
