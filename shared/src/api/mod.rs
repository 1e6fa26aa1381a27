//! The staff/integration API: how the rest of the service desk reads and changes the directory.
//!
//! Transport-free: [`Api::handle`] takes the method, path, `Authorization` header and body, and
//! returns a status and a JSON body, so it runs the same behind an HttpApi, a Function URL, or
//! the local runner. Errors are `{"error": {"code", "message"}}`: 401 without the bearer token,
//! 400 for a body that is not JSON, 422 for a body that fails validation, 404 for an unknown
//! resource or path, 405 for a known path with another method.
//!
//! [`Api::handle`] checks the token and routes by the route table (`route`); each group of paths
//! is handled in a module of its own: `directory`, `tickets` (and their comments),
//! `callbacks_and_ratings`, `import` (CSV).

mod callbacks_and_ratings;
mod directory;
mod import;
mod tickets;

pub use directory::{client_json, contact_json, employee_json};
pub use import::IMPORT_MAX_ROWS;

use crate::config::Secret;
use crate::phone::Region;
use crate::ports::{CallMeRequests, Directory, FileLinks, KeptResults, Position, StoreError, TicketStore, PAGE_MAX};
use chrono::{DateTime, Utc};
use import::Kind;
use serde_json::{json, Value};
use tickets::Once;

pub struct Api<D, L> {
    /// The directory and the tickets (one DynamoDB store in production).
    pub directory: D,
    /// Presigned links to attachments.
    pub links: L,
    pub token: Secret,
    pub region: Region,
}

pub struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The raw query string (`contact_id=c1&status=new`), without `?`.
    pub query: &'a str,
    pub authorization: Option<&'a str>,
    /// The `Idempotency-Key` header: a repeat of `POST /tickets` or `POST /tickets/{id}/comments`
    /// with the same key within a day answers the first result and creates nothing.
    pub idempotency_key: Option<&'a str>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
}

impl ApiResponse {
    fn ok(body: Value) -> Self {
        ApiResponse { status: 200, body }
    }
    fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiResponse { status, body: json!({"error": {"code": code, "message": message.into()}}) }
    }
}

/// Why a request was refused; becomes an error response.
#[derive(Debug)]
enum Refusal {
    BadBody(String),
    Invalid(String),
    NotFound(String),
    NoRoute(String),
    MethodNotAllowed,
    TooLarge(String),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

impl From<Refusal> for ApiResponse {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::BadBody(message) => ApiResponse::error(400, "bad_request", message),
            Refusal::Invalid(message) => ApiResponse::error(422, "validation_failed", message),
            Refusal::NotFound(message) => ApiResponse::error(404, "not_found", message),
            Refusal::NoRoute(message) => ApiResponse::error(404, "no_such_path", message),
            Refusal::TooLarge(message) => ApiResponse::error(413, "too_large", message),
            Refusal::MethodNotAllowed => {
                ApiResponse::error(405, "method_not_allowed", "this path does not take that method")
            }
            Refusal::Store(StoreError::Conflict) => {
                ApiResponse::error(409, "conflict", "the record changed concurrently; repeat the request")
            }
            Refusal::Store(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "storage failed");
                ApiResponse::error(503, "unavailable", "storage is unavailable; repeat the request later")
            }
        }
    }
}

type ApiResult = Result<ApiResponse, Refusal>;

impl<D: Directory + TicketStore + KeptResults + CallMeRequests, L: FileLinks> Api<D, L> {
    pub async fn handle(&self, request: ApiRequest<'_>, now: DateTime<Utc>) -> ApiResponse {
        if !self.authorized(request.authorization) {
            return ApiResponse::error(401, "unauthorized", "send Authorization: Bearer <API_TOKEN>");
        }
        self.route(&request, now).await.unwrap_or_else(ApiResponse::from)
    }

    fn authorized(&self, header: Option<&str>) -> bool {
        header
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| self.token.matches(token.trim().as_bytes()))
    }

    async fn route(&self, request: &ApiRequest<'_>, now: DateTime<Utc>) -> ApiResult {
        let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
        let method = request.method.to_ascii_uppercase();
        match (segments.as_slice(), method.as_str()) {
            (["clients", id], "GET") => self.get_client(id).await,
            (["clients", id], "PUT") => self.put_client(id, parse(request.body)?).await,
            (["clients", _], _) => Err(Refusal::MethodNotAllowed),
            (["contacts", id], "GET") => self.get_contact(id).await,
            (["contacts", id], "PUT") => self.put_contact(id, parse(request.body)?, now).await,
            (["contacts", id], "DELETE") => self.delete_contact(id, now).await,
            (["contacts", _], _) => Err(Refusal::MethodNotAllowed),
            (["employees", id], "GET") => self.get_employee(id).await,
            (["employees", id], "PUT") => self.put_employee(id, parse(request.body)?).await,
            (["employees", id], "DELETE") => self.delete_employee(id).await,
            (["employees", _], _) => Err(Refusal::MethodNotAllowed),
            (["import", kind], "POST") => {
                let kind = match *kind {
                    "clients" => Kind::Clients,
                    "contacts" => Kind::Contacts,
                    "employees" => Kind::Employees,
                    other => return Err(Refusal::NotFound(format!("nothing to import as {other:?}"))),
                };
                self.import(kind, request.body, now).await
            }
            (["import", _], _) => Err(Refusal::MethodNotAllowed),
            (["ratings", "summary"], "GET") => self.ratings_summary(request.query).await,
            (["ratings", "summary"], _) => Err(Refusal::MethodNotAllowed),
            (["callback-requests"], "GET") => self.call_me_requests(request.query).await,
            (["callback-requests"], _) => Err(Refusal::MethodNotAllowed),
            (["callback-requests", id], "PATCH") => self.patch_call_me(id, parse(request.body)?, now).await,
            (["callback-requests", _], _) => Err(Refusal::MethodNotAllowed),
            (["tickets"], "GET") => self.list_tickets(request.query).await,
            (["tickets"], "POST") => {
                let once = self.once(request, now).await?;
                match once {
                    Once::Answered(response) => Ok(response),
                    Once::Fresh(pending) => self.create_ticket(parse(request.body)?, pending.as_ref(), now).await,
                }
            }
            (["tickets"], _) => Err(Refusal::MethodNotAllowed),
            (["tickets", id], "GET") => self.get_ticket(ticket_id(id)?).await,
            (["tickets", id], "PATCH") => self.patch_ticket(ticket_id(id)?, parse(request.body)?, now).await,
            (["tickets", _], _) => Err(Refusal::MethodNotAllowed),
            (["tickets", id, "comments"], "POST") => {
                let ticket_id = ticket_id(id)?;
                match self.once(request, now).await? {
                    Once::Answered(response) => Ok(response),
                    Once::Fresh(pending) => {
                        self.add_comment(ticket_id, parse(request.body)?, pending.as_ref(), now).await
                    }
                }
            }
            (["tickets", _, "comments"], _) => Err(Refusal::MethodNotAllowed),
            _ => Err(Refusal::NoRoute(format!("no such path: {}", request.path))),
        }
    }
}

fn ticket_id(segment: &str) -> Result<u64, Refusal> {
    segment.parse().map_err(|_| Refusal::NotFound(format!("no ticket with id {segment:?}")))
}

/// Records a listing page holds unless `limit` says otherwise.
const PAGE_DEFAULT: usize = 50;

/// `limit` and `cursor` of a listing.
#[derive(Debug)]
struct Paging {
    limit: usize,
    cursor: Option<Position>,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { limit: PAGE_DEFAULT, cursor: None }
    }
}

impl Paging {
    /// Takes `limit` or `cursor`; any other parameter is refused (`filters`: the listing's own).
    fn take(&mut self, key: &str, value: &str, filters: &str) -> Result<(), Refusal> {
        match key {
            "limit" => {
                self.limit = value.parse().ok().filter(|l| (1..=PAGE_MAX).contains(l)).ok_or_else(|| {
                    Refusal::Invalid(format!("limit {value:?}: expected a whole number from 1 to {PAGE_MAX}"))
                })?
            }
            "cursor" => {
                self.cursor =
                    Some(cursor_position(value).ok_or_else(|| {
                        Refusal::Invalid("cursor: not a cursor this API gave (use next_cursor)".into())
                    })?)
            }
            other => {
                return Err(Refusal::Invalid(format!(
                    "{other}: unknown query parameter, expected one of {filters}, limit, cursor"
                )))
            }
        }
        Ok(())
    }
}

/// A listing's place as `next_cursor` gives it: opaque to callers (the hex of `<time>|<id>`).
fn cursor_text(position: &Position) -> String {
    format!("{}|{}", position.at.to_rfc3339(), position.id).bytes().map(|b| format!("{b:02x}")).collect()
}

fn cursor_position(text: &str) -> Option<Position> {
    if !text.len().is_multiple_of(2) || text.len() > 256 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (at, id) = text.split_once('|')?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    (!id.is_empty()).then(|| Position { at, id: id.to_owned() })
}

/// The decoded `key=value` pairs of a query string.
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let decode =
        |text: &str| percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned();
    query.split('&').filter(|p| !p.is_empty()).map(move |pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key), decode(value))
    })
}

/// Times in API answers: RFC 3339 in UTC with milliseconds (`2026-11-30T12:00:00.000Z`).
fn time_json(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Parses a JSON body; a field of the wrong type or an unknown one is named in the message
/// (`vip: invalid type…`, `is_internal: unknown field…`), so a misspelt flag is refused rather
/// than silently dropped.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data if path == "." => Refusal::Invalid(without_position(&inner)),
            serde_json::error::Category::Data => Refusal::Invalid(format!("{path}: {}", without_position(&inner))),
            _ => Refusal::BadBody(format!("the body is not valid JSON: {inner}")),
        }
    })
}

/// serde_json's message without its ` at line 1 column 31`: the field's name says where.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    message.strip_suffix(&position).map(str::to_owned).unwrap_or(message)
}

fn parse_bool(raw: &str, default: bool) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(format!("{other:?} is not true or false")),
    }
}

fn not_found(kind: &str, id: &str) -> Refusal {
    Refusal::NotFound(format!("no {kind} with id {id:?}"))
}

#[cfg(test)]
mod tests;
