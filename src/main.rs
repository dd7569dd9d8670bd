//! Command line only: parse arguments, call the library, print, exit.

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
    /// Only lint files matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Map a repository alias to a local checkout, for `template: x.yml@ALIAS` (repeatable)
    #[arg(long, value_name = "ALIAS=PATH", value_parser = parse_repository)]
    repository: Vec<(String, PathBuf)>,
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
    std::panic::set_hook(Box::new(|info| {
        eprintln!("azplint: internal error: {info}");
        eprintln!("This is a bug in azplint; please report it with the file that triggered it.");
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => ExitCode::from(2),
    }
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::Rules) => rules(),
        None => check(cli.check),
    }
}

fn rules() -> ExitCode {
    let mut out = String::new();
    for r in azplint::rules::RULES {
        out.push_str(&format!(
            "{:<24} {:<8} {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    print_stdout(&out)
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
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            eprintln!("azplint: path `{}` does not exist", p.display());
            return ExitCode::from(2);
        }
    }
    let options = azplint::Options {
        paths,
        filters: azplint::discover::Filters {
            include: args.include.clone(),
            exclude: args.exclude.clone(),
        },
        repositories: args.repository.iter().cloned().collect(),
    };
    let report = match azplint::lint(&options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("azplint: {e}");
            return ExitCode::from(2);
        }
    };
    let fail_on = args.fail_on.threshold();
    // The terminal gets colors only when the report goes to it.
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let text = match args.format {
        // The human and JSON reporters print file text as is; break CI command markers in it
        // (see `report`), as every other format does.
        Format::Json => report::defang_json(&report::json::render(&report)),
        Format::Short => report::short::render(&report),
        Format::Sarif => report::sarif::render(&report),
        Format::Github => report::github::render(&report),
        Format::Azure => report::azure::render(&report),
        Format::Junit => report::junit::render(&report, fail_on),
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
                &report,
                report::human::Style { color, width },
            ))
        }
    };
    match &args.output {
        Some(file) => {
            if let Err(e) = std::fs::write(file, text.as_bytes()) {
                eprintln!("azplint: can't write `{}`: {e}", file.display());
                return ExitCode::from(2);
            }
        }
        None => {
            let code = print_stdout(&text);
            if code != ExitCode::SUCCESS {
                return code;
            }
        }
    }
    // The summary goes to stderr after a human report, and after any report written to a file
    // (nothing else tells the terminal how the run went); `--quiet` drops it, like ruff's.
    if !args.quiet && (args.format == Format::Human || args.output.is_some()) {
        eprintln!("{}", report::summary(&report));
    }
    if report
        .diagnostics()
        .any(|(_, d)| report::fails(d.severity, fail_on))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
