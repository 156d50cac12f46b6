//! What people paste: every Recall webhook kind, error answers, objects that
//! belong to a bot, list pages and docs snippets (`tests/data/documents/`,
//! written from Recall's public facts). Each is answered for what it is: a
//! diagnosis only for a bot, never a bot's verdict from an artifact's status,
//! never a bot ID taken from another object's own ID.

use super::*;

fn document_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/documents");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/data/documents exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_document_is_answered_for_what_it_is() {
    let files = document_files();
    assert!(files.len() >= 40, "only {} documents", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let expect = &case["expect"];
        // The text as a user would paste it.
        let text = match case.get("text").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => serde_json::to_string_pretty(&case["document"]).unwrap(),
        };
        let input = match model::parse_input(&text) {
            Ok(input) => input,
            Err(e) => {
                failures.push(format!("{name}: refused: {e}"));
                continue;
            }
        };
        let answer = document::answer(&input, document::Beside::default(), None, None);
        let want_ids = strings(&expect["bot_ids"]);
        let (kind, ids, words) = match &answer {
            document::Answer::Said(s) => (
                s.kind.to_string(),
                s.bot_ids.clone(),
                format!("{} {} {}", s.title, s.explanation, s.remedy),
            ),
            document::Answer::Diagnosis(d) => {
                if let Some(v) = expect["verdict"].as_str() {
                    if d.verdict.as_str() != v {
                        failures.push(format!("{name}: verdict {:?}, want {v}", d.verdict));
                    }
                }
                if d.reason.as_deref() != expect["reason"].as_str() {
                    failures.push(format!("{name}: reason {:?}", d.reason));
                }
                (
                    "diagnosis".to_string(),
                    vec![d.bot_id.clone()],
                    report::markdown(d),
                )
            }
            document::Answer::Bots(page) => {
                let verdicts: Vec<&str> = page.bots.iter().map(|d| d.verdict.as_str()).collect();
                if verdicts != strings(&expect["verdicts"]) {
                    failures.push(format!("{name}: verdicts {verdicts:?}"));
                }
                for d in &page.bots {
                    if !d.explorer_url.ends_with(&d.bot_id) {
                        failures.push(format!("{name}: link {}", d.explorer_url));
                    }
                }
                (
                    "bots".to_string(),
                    page.bots.iter().map(|d| d.bot_id.clone()).collect(),
                    report::page_markdown(page),
                )
            }
        };
        let want_kind = expect["kind"]
            .as_str()
            .unwrap_or_else(|| expect["answer"].as_str().unwrap());
        if kind != want_kind {
            failures.push(format!("{name}: read as {kind}, want {want_kind}"));
        }
        if ids != want_ids {
            failures.push(format!("{name}: bots {ids:?}, want {want_ids:?}"));
        }
        for w in strings(&expect["text"]) {
            if !words.contains(&w) {
                failures.push(format!("{name}: no {w:?} in: {words}"));
            }
        }
        for w in strings(&expect["not_text"]) {
            if words.to_lowercase().contains(&w.to_lowercase()) {
                failures.push(format!("{name}: {w:?} in: {words}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
