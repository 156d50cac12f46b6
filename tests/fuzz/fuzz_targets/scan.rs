//! The text scanner on arbitrary input: no panic; every offset on a char boundary and on a
//! real UUID; `at` agrees with `scan`; the streaming reader (tiny chunks) agrees with `scan`.
#![no_main]

use botlens::detect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let matches = detect::scan(&text);
    for m in &matches {
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        assert_eq!(m.end - m.start, 36);
        assert!(detect::is_uuid(&text[m.start..m.end]));
        assert_eq!(m.id, text[m.start..m.end].to_ascii_lowercase());
    }
    // `at` agrees with `scan` (a few matches: each call rescans the text).
    for m in matches.iter().take(3) {
        assert_eq!(
            detect::at(&text, m.start + 5).map(|a| a.start),
            Some(m.start)
        );
    }
    // `at` with any offset, including out of range and inside multi-byte characters.
    for off in [0, data.len() / 2, data.len(), data.len() + 7, usize::MAX] {
        if let Some(m) = detect::at(&text, off) {
            assert!(m.start <= off && off <= m.end);
        }
    }
    let _ = detect::classify_attribute("href", &text);
    let _ = detect::classify_attribute("data-bot-id", &text);
    // The bytes scanner and the stream agree with the whole-text scan on raw bytes.
    let whole: Vec<(usize, String)> = detect::scan_bytes(data)
        .into_iter()
        .map(|m| (m.start, m.id))
        .collect();
    let mut streamed = Vec::new();
    let mut verdicts = detect::Verdicts::default();
    let chunk = 1 + usize::from(data.first().copied().unwrap_or(0)) * 64;
    let opts = detect::stream::Options {
        count_lines: true,
        chunk,
    };
    detect::stream::scan_reader(data, &opts, |f| {
        verdicts.note(f.id, f.seen);
        streamed.push((f.offset as usize, f.id));
        let _ = f.context();
    })
    .unwrap();
    let streamed: Vec<(usize, String)> = streamed
        .into_iter()
        .filter(|(_, id)| verdicts.kind(id).is_some())
        .map(|(o, id)| (o, String::from_utf8_lossy(&id).into_owned()))
        .collect();
    assert_eq!(whole, streamed);
});
