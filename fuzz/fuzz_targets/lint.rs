//! libFuzzer target: arbitrary bytes linted as one pipeline file. Must never panic.
//! `cargo +nightly fuzz run lint -- -max_len=65536` (seeds: `fuzz/seed.sh`; dictionary: `-dict=fuzz/lint.dict`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    azplint_fuzz::lint_bytes(data);
});
