//! `cargo run -p xtask -- gen-catalog [--shared PATH] [--check]`
//!
//! Writes `data/tasks.json`, `wif.json`, `steps.json` and `schema.json` from `PATH/data`
//! (default: `../shared` relative to the workspace root). With `--check`, writes nothing and
//! fails when the committed files differ from what would be generated.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p xtask -- gen-catalog [--shared PATH] [--check] [--quiet]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("gen-catalog") => {}
        Some("-h") | Some("--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let mut shared = xtask::default_shared_dir();
    let mut check = false;
    let mut quiet = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--shared" => match args.next() {
                Some(p) => shared = PathBuf::from(p),
                None => {
                    eprintln!("--shared needs a path\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--check" => check = true,
            "--quiet" | "-q" => quiet = true,
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let g = match xtask::generate_full(&shared) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("gen-catalog: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !quiet {
        for n in &g.notes {
            eprintln!("note: {n}");
        }
    }
    eprintln!(
        "gen-catalog: {} task-major entries ({} from task.json, {} schema-only), {} names",
        g.task_json_entries + g.schema_entries,
        g.task_json_entries,
        g.schema_entries,
        g.names
    );

    let out_dir = xtask::output_dir();
    let outputs = [
        ("tasks.json", &g.tasks_json),
        ("wif.json", &g.wif_json),
        ("steps.json", &g.steps_json),
        ("schema.json", &g.schema_json),
    ];
    let mut stale = false;
    for (file, text) in outputs {
        let path = out_dir.join(file);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(text.as_str()) {
            eprintln!("{}: up to date ({} bytes)", path.display(), text.len());
            continue;
        }
        if check {
            eprintln!("{}: stale", path.display());
            stale = true;
            continue;
        }
        if let Err(e) = std::fs::create_dir_all(&out_dir).and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("{}: written ({} bytes)", path.display(), text.len());
    }
    if stale {
        eprintln!("run `{}` to regenerate", xtask::REGEN_COMMAND);
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
