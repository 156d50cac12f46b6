//! Any document a user has at hand, answered for what it is: a saved bot, a
//! scenario, one status event, or something that is not a bot at all (said
//! for what it is, never diagnosed as a bot). The CLI, `diagnose_json` and
//! anything else that reads pasted or saved JSON go through [`answer`].

use serde::Serialize;

use super::other::{self, Said};
use super::{diagnose_as, Diagnosis, Evidence};
use crate::recall::model::{Input, Logs, Screenshots};
use crate::recall::region::Region;
use crate::recall::time::Timestamp;

/// What botlens makes of a document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Diagnosis(Box<Diagnosis>),
    /// A list page: each bot diagnosed as saved.
    Bots(Bots),
    /// A document that is not a bot, said for what it is.
    Said(Said),
}

/// The bots of a list page, each diagnosed.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Bots {
    pub bots: Vec<Diagnosis>,
    /// Items of the page that were not bots.
    pub skipped: usize,
    /// The page says more follow.
    pub more: bool,
}

/// Logs and screenshots given beside the document; they win over its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct Beside<'a> {
    pub screenshots: Option<&'a Screenshots>,
    pub logs: Option<&'a Logs>,
}

/// Answer one read document. `region` wins over the document's own; `now` is
/// the caller's clock (it dates the evidence, it never extends a history).
pub fn answer(
    input: &Input,
    beside: Beside<'_>,
    region: Option<Region>,
    now: Option<Timestamp>,
) -> Answer {
    let diagnosis = |evidence, bot, shots: Option<&Screenshots>, logs: Option<&Logs>, own| {
        Answer::Diagnosis(Box::new(diagnose_as(
            evidence,
            bot,
            beside.screenshots.or(shots),
            beside.logs.or(logs),
            region.or(own),
            now,
        )))
    };
    match input {
        Input::Bot(bot) => diagnosis(Evidence::Saved, bot, None, None, None),
        Input::Scenario(s) => diagnosis(
            Evidence::Saved,
            &s.bot,
            s.screenshots.as_ref(),
            s.logs.as_ref(),
            s.region,
        ),
        Input::Webhook(w) => diagnosis(Evidence::OneEvent, &w.to_bot(), None, None, None),
        Input::Event(e) => Answer::Said(other::event(e)),
        Input::ErrorBody(b) => Answer::Said(other::error_body(b)),
        Input::Related(r) => Answer::Said(other::related(r)),
        Input::Status(c) => Answer::Said(other::status(c)),
        // Logs and screenshots belong to one bot, never to a whole page.
        Input::Histories(bots) => match bots.as_slice() {
            [bot] => diagnosis(Evidence::Events, bot, None, None, None),
            bots => Answer::Bots(Bots {
                bots: bots
                    .iter()
                    .map(|bot| diagnose_as(Evidence::Events, bot, None, None, region, now))
                    .collect(),
                skipped: 0,
                more: false,
            }),
        },
        Input::Page(page) => Answer::Bots(Bots {
            bots: page
                .bots
                .iter()
                .map(|bot| diagnose_as(Evidence::Saved, bot, None, None, region, now))
                .collect(),
            skipped: page.skipped,
            more: page.more,
        }),
    }
}
