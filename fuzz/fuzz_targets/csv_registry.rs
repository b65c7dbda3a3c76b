#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shouwang_fuzzing::let_guarded_calamine_panics_unwind();
    shouwang_fuzzing::csv_registry(data)
});
