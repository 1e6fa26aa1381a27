//! `CALLBACK#<id>` / `CALLBACK`: a client's request to be called back. Stored under names of its
//! own (`requester`, not `contact_id`): the `ByContact` and `ByClient` indexes must not pick it
//! up. `status` (`CALLBACK#<state>`) and `created_at` place it in the `ByStatus` index, apart
//! from the tickets.

use crate::domain::{Actor, CallMeRequest, CallMeState};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;

pub fn to_item(request: &CallMeRequest) -> Item {
    let mut item = keyed(keys::call_me(&request.id));
    item.extend([
        ("id".to_owned(), s(&request.id)),
        ("requester".to_owned(), s(&request.contact_id)),
        ("requester_client".to_owned(), s(&request.client_id)),
        ("requested_at".to_owned(), time(request.created_at)),
        ("state".to_owned(), s(request.state.code())),
        ("status".to_owned(), s(keys::call_me_listing(request.state.code()))),
        ("created_at".to_owned(), time(request.created_at)),
    ]);
    if let Some((at, by)) = &request.done {
        item.insert("done_at".into(), time(*at));
        item.insert("done_by".into(), s(by.code()));
    }
    item
}

pub fn from_item(item: &Item) -> Result<CallMeRequest, StoreError> {
    Ok(CallMeRequest {
        id: required_s(item, "id")?,
        contact_id: required_s(item, "requester")?,
        client_id: required_s(item, "requester_client")?,
        created_at: required_time(item, "requested_at")?,
        state: CallMeState::from_code(&required_s(item, "state")?).ok_or_else(|| corrupt("call-me state"))?,
        done: optional_time(item, "done_at")?
            .map(|at| (at, get_s(item, "done_by").and_then(Actor::from_code).unwrap_or(Actor::Api))),
    })
}
