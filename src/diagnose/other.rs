//! What botlens says about documents that are not a bot: an artifact webhook
//! (`recording.done`, `transcript.failed`, …) and Recall's error answers. Each
//! says what it shows and what it cannot: an artifact's status is never read as
//! the bot's, and an error body is explained, not refused as "no `id`".

use serde::Serialize;

use super::catalog;
use super::verdict::words;
use crate::recall::model::{ArtifactEvent, ErrorBody, Related, StatusChange};

/// A short answer about such a document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Said {
    /// `artifact_event`, `error_body`, `related` or `status`.
    pub kind: &'static str,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
    /// The bots the document belongs to or names, in order.
    pub bot_ids: Vec<String>,
}

impl Said {
    /// One line, for places that show only one (the card's error state).
    pub fn line(&self) -> String {
        format!("{} {}", self.title, self.explanation)
    }
}

/// An artifact webhook: which artifact, its status, its sub code and error as
/// Recall wrote them, and the bot it belongs to.
pub fn event(e: &ArtifactEvent) -> Said {
    let artifact = e.artifact.replace('_', " ");
    let bot = e.bot_id.as_deref();
    if matches!(e.event.as_str(), "bot.log" | "bot.output_log") {
        return Said {
            kind: "artifact_event",
            title: format!("`{}`: a log line of the bot, not its status.", e.event),
            explanation: "One line of the bot's log tells how one step went, not how the bot did."
                .into(),
            remedy: "Pass log events with --logs next to the bot's own JSON (Retrieve Bot), so they are read with its history.".into(),
            bot_ids: bot.map(str::to_string).into_iter().collect(),
        };
    }
    let state = match e.status.as_deref() {
        Some("done") => "is done".to_string(),
        Some("failed") => "failed".to_string(),
        Some("processing") => "is being processed".to_string(),
        Some(other) => format!("is now `{other}`"),
        None => "changed (the event carries no status code)".to_string(),
    };
    let mut explanation = match bot {
        Some(id) => format!("This event is about the {artifact} of bot {id}: it {state}."),
        None => format!("This event is about a {artifact} and names no bot: it {state}."),
    };
    explanation.push_str(
        " It does not say how the bot itself did (whether it joined, was admitted or recorded).",
    );
    let known = e.sub_code.as_deref().and_then(catalog::lookup);
    match (&e.sub_code, known) {
        (Some(code), Some(entry)) => {
            explanation.push_str(&format!(" `{code}`: {}", entry.explanation))
        }
        (Some(code), None) => explanation.push_str(&format!(
            " Its sub code `{code}` is not in botlens's catalog yet; it is shown as Recall sent it."
        )),
        (None, _) => {}
    }
    if let Some(error) = &e.error {
        let code = error.get("code").and_then(|c| c.as_str());
        let message = error.get("message").and_then(|m| m.as_str());
        let words = match (code, message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c.to_string(),
            (None, Some(m)) => m.to_string(),
            (None, None) => error.to_string(),
        };
        explanation.push_str(&format!(" Recall's error: {words}."));
    }
    let remedy = match known {
        Some(entry) => entry.remedy.clone(),
        None if bot.is_some() => "Look the bot up by its ID to see its own status and history (its Retrieve Bot JSON, or the card).".into(),
        None => "Nothing here concerns a bot.".into(),
    };
    Said {
        kind: "artifact_event",
        title: format!("`{}`: the {artifact} {state}.", e.event),
        explanation,
        remedy,
        bot_ids: bot.map(str::to_string).into_iter().collect(),
    }
}

/// An object that belongs to a bot: what it is, its own status, and the bots
/// it points to (the place to look for how the bot did).
pub fn related(r: &Related) -> Said {
    let own =
        r.id.as_deref()
            .map(|id| format!(" `{id}`"))
            .unwrap_or_default();
    let status = match (&r.status, &r.sub_code) {
        (Some(code), Some(sub)) => format!(" Its own status is `{code}` (`{sub}`), not the bot's."),
        (Some(code), None) => format!(" Its own status is `{code}`, not the bot's."),
        _ => String::new(),
    };
    let (title, explanation, remedy) = match r.bot_ids.as_slice() {
        [] => (
            format!("A {}{own}, not a bot.", r.kind),
            format!("It names no bot, so botlens cannot tell which bot it belongs to.{status}"),
            "Find the bot it came from (its ID is in the webhook or the API answer that gave you this) and look that bot up.".to_string(),
        ),
        [bot] => (
            format!(
                "A {}{own} {} bot {bot}, not the bot itself.",
                r.kind,
                if r.kind.starts_with("calendar") { "for" } else { "of" }
            ),
            format!("The bot it belongs to is {bot}; how that bot did is in the bot's own history.{status}"),
            format!("Look up bot {bot}: hover its ID with botlens, or pass its Retrieve Bot JSON to `botlens diagnose`."),
        ),
        bots => (
            format!("A {}{own} with {} bots, not a bot.", r.kind, bots.len()),
            format!("It names these bots: {}.{status}", bots.join(", ")),
            "Look each bot up: hover its ID with botlens, or pass its Retrieve Bot JSON to `botlens diagnose`.".to_string(),
        ),
    };
    Said {
        kind: "related",
        title,
        explanation,
        remedy,
        bot_ids: r.bot_ids.clone(),
    }
}

/// A bare status object: the code and sub code explained, for no bot in particular.
pub fn status(change: &StatusChange) -> Said {
    let code = change.code.as_str();
    let (title, explanation, remedy) = match change.sub_code.as_deref() {
        Some(sub) => {
            let (title, explanation, remedy) = words(sub, &format!(" with `{code}`"));
            (format!("`{code}` / `{sub}`: {title}"), explanation, remedy)
        }
        None => {
            let (title, explanation, remedy) = words(code, " as a status");
            (format!("`{code}`: {title}"), explanation, remedy)
        }
    };
    Said {
        kind: "status",
        title,
        explanation: format!("{explanation} This is one status on its own: it names no bot, and says nothing of what came before or after it."),
        remedy,
        bot_ids: Vec::new(),
    }
}

/// Recall's answer to a failed request, explained.
pub fn error_body(b: &ErrorBody) -> Said {
    let said = |title: String, explanation: String, remedy: String| Said {
        kind: "error_body",
        title,
        explanation,
        remedy,
        bot_ids: Vec::new(),
    };
    let words = b.detail.clone().unwrap_or_default();
    if b.html {
        let lower = words.to_ascii_lowercase();
        let firewall = lower.contains("request blocked")
            || lower.contains("cloudfront")
            || lower.contains("403");
        return if firewall {
            said(
                "Recall's firewall blocked the request (403): an HTML page, not a bot.".into(),
                format!("The page says “{words}”. Recall's firewall answers so before the API sees the request."),
                "Common triggers: a body on a GET, a localhost URL in the payload, a payload the firewall flags, or the client's IP. Send the request without them; if it persists from one server, ask Recall about its IP.".into(),
            )
        } else {
            said(
                "An HTML page, not Recall's JSON.".into(),
                format!("The page says “{words}”. Recall's API answers JSON, so something else answered: a proxy, a login or captive portal, or an error page in between."),
                "Check the URL the request went to and anything in between (proxy, VPN, corporate filter).".into(),
            )
        };
    }
    let key_refused = b.code.as_deref() == Some("authentication_failed")
        || words.to_ascii_lowercase().contains("invalid token")
        || words
            .to_ascii_lowercase()
            .contains("credentials were not provided");
    if key_refused {
        return said(
            "Recall refused the API key (401), so there is no bot here.".into(),
            format!("Recall said “{words}” Keys belong to one region: the key is wrong, revoked, or the key of another region than the host it was sent to."),
            "Send the request to the region the key was made in (us-west-2, us-east-1, eu-central-1 or ap-northeast-1), or use that region's key.".into(),
        );
    }
    if let Some(entry) = b.code.as_deref().and_then(catalog::lookup) {
        return said(
            format!(
                "Recall refused the request: `{}` ({}).",
                entry.code, entry.title
            ),
            format!("{} Recall said “{words}”", entry.explanation),
            entry.remedy.clone(),
        );
    }
    let fields: Vec<String> = b
        .fields
        .iter()
        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
        .collect();
    let mut explanation = match (&b.code, words.is_empty()) {
        (Some(code), false) => format!("Recall answered `{code}`: “{words}”"),
        (Some(code), true) => format!("Recall answered `{code}`."),
        (None, false) => format!("Recall said “{words}”"),
        (None, true) => "Recall refused the request's data.".to_string(),
    };
    if !fields.is_empty() {
        explanation.push_str(&format!(" Per field: {}.", fields.join("; ")));
    }
    said(
        "An error answer from Recall, not a bot.".into(),
        explanation,
        "Fix what Recall names and send the request again; a bot appears only in a successful answer.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recall::model::{parse_input, Input};

    fn said(text: &str) -> Said {
        match parse_input(text).unwrap() {
            Input::Event(e) => event(&e),
            Input::ErrorBody(b) => error_body(&b),
            Input::Related(r) => related(&r),
            Input::Status(c) => status(&c),
            other => panic!("read as {other:?}"),
        }
    }

    #[test]
    fn an_artifact_event_is_never_the_bots_status() {
        let s = said(
            r#"{"event": "recording.done", "data": {"data": {"code": "done", "sub_code": null, "updated_at": "2025-09-14T16:05:41.55+00:00"},
               "recording": {"id": "r1", "metadata": {}}, "bot": {"id": "7c1e9a30-52d4-4f8b-a6e2-3b90d1c4f5a7", "metadata": {}}}}"#,
        );
        assert_eq!(s.kind, "artifact_event");
        assert!(s.title.contains("the recording is done"), "{}", s.title);
        assert!(s
            .explanation
            .contains("does not say how the bot itself did"));
        assert_eq!(s.bot_ids, ["7c1e9a30-52d4-4f8b-a6e2-3b90d1c4f5a7"]);

        let s = said(
            r#"{"event": "transcript.failed", "data": {"data": {"code": "failed", "sub_code": "provider_connection_failed"},
               "transcript": {"id": "t1"}, "recording": {"id": "r1"}, "bot": {"id": "b1"}}}"#,
        );
        assert!(s.title.contains("the transcript failed"), "{}", s.title);
        assert!(
            s.explanation.contains("transcription provider"),
            "{}",
            s.explanation
        );
        assert!(s.remedy.contains("provider account"), "{}", s.remedy);

        let s = said(
            r#"{"event": "realtime_endpoint.failed", "data": {"data": {"code": "failed", "sub_code": "",
               "error": {"code": "INTERNAL_ERROR", "message": "Internal server error occurred during recording"}},
               "realtime_endpoint": {"id": "e1"}, "bot": {"id": "b1"}}}"#,
        );
        assert!(
            s.explanation
                .contains("INTERNAL_ERROR: Internal server error"),
            "{}",
            s.explanation
        );
        assert!(
            !s.explanation.contains("sub code"),
            "an empty sub code is none"
        );

        let s = said(r#"{"event": "calendar.update", "data": {"calendar_id": "c1"}}"#);
        assert!(s.bot_ids.is_empty());
        assert!(s.explanation.contains("names no bot"));
        let s = said(
            r#"{"event": "bot.output_log", "data": {"data": {"level": "error"}, "bot": {"id": "b1"}}}"#,
        );
        assert!(s.remedy.contains("--logs"));
    }

    #[test]
    fn error_bodies_are_explained_not_refused() {
        let s = said(r#"{"detail": "Invalid token."}"#);
        assert_eq!(s.kind, "error_body");
        assert!(
            s.explanation.contains("another region"),
            "{}",
            s.explanation
        );
        let s = said(
            r#"{"code": "authentication_failed", "detail": "Incorrect authentication credentials."}"#,
        );
        assert!(s.title.contains("401"));
        let s = said(
            r#"{"code": "invalid_request_data", "message": "Invalid data", "errors": {"non_field_errors": ["Bot already left."]}}"#,
        );
        assert!(
            s.explanation
                .contains("non_field_errors: Bot already left."),
            "{}",
            s.explanation
        );
        let s = said(
            r#"{"meeting_url": ["This field is required."], "join_at": ["Must be in the future."]}"#,
        );
        assert!(
            s.explanation
                .contains("meeting_url: This field is required."),
            "{}",
            s.explanation
        );
        // Still refused with its reason: an object that is neither.
        assert!(parse_input(r#"{"name": {"first": "x"}}"#).is_err());
    }
}
