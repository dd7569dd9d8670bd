//! The committed catalog must be what the generator writes from `../shared/data`.

use std::path::Path;

fn check(file: &str, generated: &str) -> Result<(), String> {
    let path = xtask::output_dir().join(file);
    let committed =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if committed == generated {
        return Ok(());
    }
    let first_diff = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .map(|i| i + 1)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()) + 1);
    Err(format!(
        "{} is stale (first difference at line {first_diff}); regenerate it with `{}` and commit the result",
        path.display(),
        xtask::REGEN_COMMAND
    ))
}

#[test]
fn committed_catalog_is_fresh() {
    let shared = xtask::default_shared_dir();
    if !Path::new(&shared).join("data").is_dir() {
        eprintln!("skipped: {} not found", shared.join("data").display());
        return;
    }
    let g = xtask::generate_full(&shared).expect("generation failed");
    let errors: Vec<String> = [
        check("tasks.json", &g.tasks_json),
        check("wif.json", &g.wif_json),
        check("steps.json", &g.steps_json),
        check("schema.json", &g.schema_json),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    let shared = xtask::default_shared_dir();
    if !Path::new(&shared).join("data").is_dir() {
        eprintln!("skipped: {} not found", shared.join("data").display());
        return;
    }
    let a = xtask::generate(&shared).expect("generation failed");
    let b = xtask::generate(&shared).expect("generation failed");
    assert!(a == b, "two runs gave different output");
}
