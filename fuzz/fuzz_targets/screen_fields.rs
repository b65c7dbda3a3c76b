#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| shouwang_fuzzing::screen_fields(data));
