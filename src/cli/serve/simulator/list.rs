//! List Bots (`GET /api/v1/bot/`) as Recall answers it: the workspace's bots
//! in the region asked, filtered as `recall::list::ListQuery` reads the
//! query, in pages of [`PAGE_SIZE`] with absolute `next`/`previous` links.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use botlens::recall::client::Endpoint;
use botlens::recall::list::{ListQuery, PATH};
use botlens::recall::model::Bot;
use botlens::recall::region::Region;
use serde_json::{json, Value};

use super::{json_response, Sim};

pub const PAGE_SIZE: usize = 50;

pub fn answer(sim: &Sim, headers: &HeaderMap, region: Region, query: &str) -> Response {
    let (filters, page) = ListQuery::parse(query);
    let clock = sim.clock();
    let base = sim.base_url(headers);
    let matching: Vec<Value> = sim
        .bots
        .iter()
        .filter(|b| b.region == region)
        .filter_map(|b| {
            let text = b
                .render(Endpoint::Bot, &clock)?
                .replace("{{base}}", &base)
                .replace("{{region}}", region.label());
            let value: Value = serde_json::from_str(&text).ok()?;
            let bot: Bot = serde_json::from_value(value.clone()).ok()?;
            let metadata = value.get("metadata").cloned().unwrap_or(Value::Null);
            filters.matches(&bot, &metadata).then_some(value)
        })
        .collect();
    let page = page as usize;
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let results: Vec<&Value> = matching.iter().skip(start).take(PAGE_SIZE).collect();
    let link = |n: usize| {
        let mut q = filters.query();
        if !q.is_empty() {
            q.push('&');
        }
        format!("{base}{PATH}?{q}page={n}")
    };
    let next = (start + PAGE_SIZE < matching.len()).then(|| link(page + 1));
    let previous = (page > 1).then(|| link(page - 1));
    json_response(
        StatusCode::OK,
        json!({
            "count": matching.len(),
            "next": next,
            "previous": previous,
            "results": results,
        })
        .to_string(),
    )
}
