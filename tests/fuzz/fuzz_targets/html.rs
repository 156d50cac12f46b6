//! HTML mode on arbitrary input: no panic, every reported id is a lowercase UUID.
#![no_main]

use botlens::detect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    for f in detect::html::occurrences(&html) {
        assert!(detect::is_uuid(&f.id));
        assert_eq!(f.id, f.id.to_ascii_lowercase());
        assert!(f.line >= 1);
    }
    let _ = detect::html::scan(&html);
});
