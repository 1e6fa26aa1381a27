//! Call-back requests (`GET /callback-requests`, `PATCH /callback-requests/{id}`) and the
//! ratings summary (`GET /ratings/summary`).

use super::{cursor_text, not_found, query_pairs, time_json, Api, ApiResponse, ApiResult, Paging, Refusal};
use crate::domain::{CallMeRequest, CallMeState, Client, Contact};
use crate::ports::{
    CallMeRequests, Directory, FileLinks, KeptResults, StoreError, TicketStore, Uploads, RATINGS_PERIOD_MAX_DAYS,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// Directory records read while one page is listed, by id (`None`: not there).
#[derive(Default)]
struct Seen {
    contacts: std::collections::HashMap<String, Option<Contact>>,
    clients: std::collections::HashMap<String, Option<Client>>,
}

/// `PATCH /callback-requests/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CallMePatch {
    state: String,
    #[serde(default)]
    by: Option<String>,
}

/// An RFC 3339 time, or a date (its midnight, UTC).
fn parse_moment(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|d| d.with_timezone(&Utc)).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
    })
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
    pub(super) async fn call_me_requests(&self, query: &str) -> ApiResult {
        let mut states = CallMeState::ALL.to_vec();
        let mut paging = Paging::default();
        for (key, value) in query_pairs(query) {
            match key.as_str() {
                "state" if value == "open" => states.retain(|s| s.is_open()),
                "state" => {
                    states = vec![CallMeState::from_code(&value).ok_or_else(|| {
                        Refusal::Invalid(format!("state {value:?}: expected new, manager_notified, done or open"))
                    })?]
                }
                _ => paging.take(&key, &value, "state")?,
            }
        }
        let page = self.directory.call_me_requests(&states, paging.cursor.as_ref(), paging.limit).await?;
        let mut listed = vec![];
        let mut seen = Seen::default();
        for request in &page.items {
            listed.push(self.call_me_json(request, &mut seen).await?);
        }
        Ok(ApiResponse::ok(json!({ "callback_requests": listed, "next_cursor": page.next.as_ref().map(cursor_text) })))
    }

    /// Count and average score per assignee of the ratings given from `from` until before `to`
    /// (both required: RFC 3339 times or dates), each ticket's latest score counted once.
    pub(super) async fn ratings_summary(&self, query: &str) -> ApiResult {
        let (mut from, mut to) = (None, None);
        for (key, value) in query_pairs(query) {
            let moment = || {
                parse_moment(&value)
                    .ok_or_else(|| Refusal::Invalid(format!("{key}: {value:?} is not an RFC 3339 time or a date")))
            };
            match key.as_str() {
                "from" => from = Some(moment()?),
                "to" => to = Some(moment()?),
                other => return Err(Refusal::Invalid(format!("{other}: unknown query parameter, expected from, to"))),
            }
        }
        let (Some(from), Some(to)) = (from, to) else {
            return Err(Refusal::Invalid("from and to are required (RFC 3339 times or dates)".into()));
        };
        if to <= from || to - from > chrono::Duration::days(RATINGS_PERIOD_MAX_DAYS) {
            return Err(Refusal::Invalid(format!(
                "to must be after from, at most {RATINGS_PERIOD_MAX_DAYS} days later"
            )));
        }
        let ratings = self.directory.ratings(from, to).await?;
        let mut per_assignee: std::collections::BTreeMap<Option<String>, (u64, u64)> = Default::default();
        for work in &ratings {
            let entry = per_assignee.entry(work.assignee_id.clone()).or_default();
            entry.0 += 1;
            entry.1 += u64::from(work.rating.score);
        }
        let average = |count: u64, sum: u64| (sum as f64 / count as f64 * 100.0).round() / 100.0;
        let mut assignees = vec![];
        for (assignee, (count, sum)) in per_assignee {
            let who = match assignee {
                Some(id) => {
                    let name = self.directory.get_employee(&id).await?.map(|e| e.name);
                    json!({"id": id, "name": name})
                }
                None => Value::Null,
            };
            assignees.push(json!({"assignee": who, "count": count, "average": average(count, sum)}));
        }
        let (count, sum) = ratings.iter().fold((0u64, 0u64), |(c, s), w| (c + 1, s + u64::from(w.rating.score)));
        Ok(ApiResponse::ok(json!({
            "from": time_json(from),
            "to": time_json(to),
            "count": count,
            "average": (count > 0).then(|| average(count, sum)),
            "assignees": assignees,
        })))
    }

    /// Staff called the client back. Repeating it answers the same.
    pub(super) async fn patch_call_me(&self, id: &str, patch: CallMePatch, now: DateTime<Utc>) -> ApiResult {
        if patch.state != CallMeState::Done.code() {
            return Err(Refusal::Invalid(format!("state {:?}: a request can only be marked \"done\"", patch.state)));
        }
        let by = self.actor(patch.by.as_deref()).await?;
        match self.directory.mark_call_me_done(id, now, &by).await {
            Err(StoreError::Conflict) => return Err(not_found("call-back request", id)),
            other => other?,
        }
        let request = self.directory.call_me(id).await?.ok_or_else(|| not_found("call-back request", id))?;
        Ok(ApiResponse::ok(self.call_me_json(&request, &mut Seen::default()).await?))
    }

    /// A call-back request as listed: with its contact's name and phone and its client's name,
    /// each read once a page (`seen`): one client's contacts, and a contact asking again, repeat.
    async fn call_me_json(&self, request: &CallMeRequest, seen: &mut Seen) -> Result<Value, Refusal> {
        if !seen.contacts.contains_key(&request.contact_id) {
            let contact = self.directory.get_contact(&request.contact_id).await?;
            seen.contacts.insert(request.contact_id.clone(), contact);
        }
        if !seen.clients.contains_key(&request.client_id) {
            let client = self.directory.get_client(&request.client_id).await?;
            seen.clients.insert(request.client_id.clone(), client);
        }
        let contact = &seen.contacts[&request.contact_id];
        let client = &seen.clients[&request.client_id];
        Ok(json!({
            "id": request.id,
            "contact": {
                "id": request.contact_id,
                "name": contact.as_ref().map(|c| c.name.clone()),
                "phone": contact.as_ref().map(|c| c.phone.to_string()),
            },
            "client": {"id": request.client_id, "name": client.as_ref().map(|c| c.name.clone())},
            "created_at": time_json(request.created_at),
            "state": request.state.code(),
            "done_at": request.done.as_ref().map(|(at, _)| time_json(*at)),
            "done_by": request.done.as_ref().map(|(_, by)| by.code()),
        }))
    }
}
