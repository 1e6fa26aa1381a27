//! `CALLBACK#<id>` / `CALLBACK`: a client's request to be called back. Stored under names of its
//! own (`requester`, not `contact_id`): the tickets' indexes must not pick it up.

use crate::domain::{CallMeRequest, CallMeState};
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
    ]);
    item
}

pub fn from_item(item: &Item) -> Result<CallMeRequest, StoreError> {
    Ok(CallMeRequest {
        id: required_s(item, "id")?,
        contact_id: required_s(item, "requester")?,
        client_id: required_s(item, "requester_client")?,
        created_at: required_time(item, "requested_at")?,
        state: CallMeState::from_code(&required_s(item, "state")?).ok_or_else(|| corrupt("call-me state"))?,
    })
}
