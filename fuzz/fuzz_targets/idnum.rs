#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| shouwang_fuzzing::idnum(data));
