//! The staff/integration API: how the rest of the service desk reads and changes the directory.
//!
//! Transport-free: [`Api::handle`] takes the method, path, `Authorization` header and body, and
//! returns a status and a JSON body, so it runs the same behind an HttpApi, a Function URL, or
//! the local runner. Errors are `{"error": {"code", "message"}}`: 401 without the bearer token,
//! 400 for a body that is not JSON, 422 for a body that fails validation, 404 for an unknown
//! resource or path, 405 for a known path with another method.
//!
//! [`Api::handle`] checks the token and routes by the route table (`route`); each group of paths
//! is handled in a module of its own: `directory`, `tickets` (and their comments), `uploads`,
//! `callbacks_and_ratings`, `import` (CSV).

mod callbacks_and_ratings;
mod directory;
mod import;
mod tickets;
mod uploads;

pub use directory::{client_json, contact_json, employee_json};
pub use import::IMPORT_MAX_ROWS;

use crate::config::Secret;
use crate::phone::Region;
use crate::ports::{
    CallMeRequests, Directory, FileLinks, KeptResults, Position, StoreError, TicketStore, Uploads, PAGE_MAX,
};
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
    /// Headers beside `Content-Type: application/json` (`Allow` on a 405, `Retry-After` on a 503).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiResponse {
    fn new(status: u16, body: Value) -> Self {
        ApiResponse { status, body, headers: vec![] }
    }
    fn ok(body: Value) -> Self {
        ApiResponse::new(200, body)
    }
    fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiResponse::new(status, json!({"error": {"code": code, "message": message.into()}}))
    }
    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Seconds a client waits before repeating a request storage could not serve.
const RETRY_AFTER_SECS: u32 = 2;

/// Why a request was refused; becomes an error response.
#[derive(Debug)]
enum Refusal {
    BadBody(String),
    Invalid(String),
    NotFound(String),
    /// The body or query names a record that does not exist (an employee, a client, a contact):
    /// 404 like a path's, with its own code and the field named, as Stripe's `resource_missing`.
    Unknown(String),
    /// The body names a record that exists but is deactivated (a contact): 409, the record's
    /// state is what refuses it, and reactivating it makes the request succeed.
    Inactive(String),
    NoRoute(String),
    /// A known path with a method it does not take; the methods it takes (the `Allow` header).
    MethodNotAllowed(&'static str),
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
            Refusal::Unknown(message) => ApiResponse::error(404, "unknown_reference", message),
            Refusal::Inactive(message) => ApiResponse::error(409, "inactive_reference", message),
            Refusal::NoRoute(message) => ApiResponse::error(404, "no_such_path", message),
            Refusal::TooLarge(message) => ApiResponse::error(413, "too_large", message),
            Refusal::MethodNotAllowed(allow) => {
                ApiResponse::error(405, "method_not_allowed", format!("this path takes {allow}"))
                    .with_header("allow", allow)
            }
            Refusal::Store(StoreError::Conflict) => {
                ApiResponse::error(409, "conflict", "the record changed concurrently; repeat the request")
            }
            // A passing fault (throttling, a timeout, storage out of reach): a repeat may succeed.
            Refusal::Store(error @ StoreError::Unavailable(_)) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "storage unavailable");
                ApiResponse::error(503, "unavailable", "storage is unavailable; repeat the request later")
                    .with_header("retry-after", RETRY_AFTER_SECS.to_string())
            }
            // The store refused the request itself, or a stored item does not read: a repeat is
            // refused the same way. A bug of this service, logged with an id the answer names.
            Refusal::Store(error) => {
                let error_id = error_id();
                tracing::error!(error_id, error = %error, source = ?std::error::Error::source(&error), "request refused by storage");
                crate::observability::count(crate::observability::Metric::ApiInternalErrors, 1);
                ApiResponse::error(
                    500,
                    "internal_error",
                    format!("the request could not be done (error {error_id}); repeating it will not help"),
                )
            }
        }
    }
}

type ApiResult = Result<ApiResponse, Refusal>;

/// An id for one error, to find its log line by.
fn error_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    format!("{:016x}", hasher.finish())
}

/// The methods a directory record's path takes (the `Allow` of its 405). There is no `DELETE`:
/// a record tickets, ratings and call-back requests name is deactivated (`PUT`, `active: false`).
const DIRECTORY_ENTRY: &str = "GET, PUT";

/// A directory id of a path that cannot name a record: `PUT` refuses it (422, the id must
/// fit the pattern), `GET` finds nothing (404), another method is 405; never a storage error.
fn path_id_refusal(kind: &str, id: &str, method: &str) -> Refusal {
    match method {
        "PUT" => Refusal::Invalid(format!("id {id:?} must be 1-40 characters of A-Z, a-z, 0-9, '.', '_', '-'")),
        "GET" => not_found(kind, id),
        _ => Refusal::MethodNotAllowed(DIRECTORY_ENTRY),
    }
}

/// A directory id given in a query or a body (`field`): refused by name when it cannot be one.
fn id_field(field: &str, value: &str) -> Result<(), Refusal> {
    if crate::domain::valid_id(value) {
        Ok(())
    } else {
        Err(Refusal::Invalid(format!(
            "{field}: {value:?} is not an id (1-40 characters of A-Z, a-z, 0-9, '.', '_', '-')"
        )))
    }
}

/// An id this API generated (a call-back request's): anything longer, or with control
/// characters, names nothing.
fn fits_generated_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && !id.chars().any(char::is_control)
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
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
            (["clients", id], method) if !crate::domain::valid_id(id) => Err(path_id_refusal("client", id, method)),
            (["contacts", id], method) if !crate::domain::valid_id(id) => Err(path_id_refusal("contact", id, method)),
            (["employees", id], method) if !crate::domain::valid_id(id) => Err(path_id_refusal("employee", id, method)),
            (["callback-requests", id], "PATCH") if !fits_generated_id(id) => Err(not_found("call-back request", id)),
            (["clients", id], "GET") => self.get_client(id).await,
            (["clients", id], "PUT") => self.put_client(id, parse(request.body)?).await,
            (["clients", _], _) => Err(Refusal::MethodNotAllowed(DIRECTORY_ENTRY)),
            (["contacts", id], "GET") => self.get_contact(id).await,
            (["contacts", id], "PUT") => self.put_contact(id, parse(request.body)?, now).await,
            (["contacts", _], _) => Err(Refusal::MethodNotAllowed(DIRECTORY_ENTRY)),
            (["employees", id], "GET") => self.get_employee(id).await,
            (["employees", id], "PUT") => self.put_employee(id, parse(request.body)?).await,
            (["employees", _], _) => Err(Refusal::MethodNotAllowed(DIRECTORY_ENTRY)),
            (["import", kind], "POST") => {
                let kind = match *kind {
                    "clients" => Kind::Clients,
                    "contacts" => Kind::Contacts,
                    "employees" => Kind::Employees,
                    other => return Err(Refusal::NotFound(format!("nothing to import as {other:?}"))),
                };
                self.import(kind, request.body, now).await
            }
            (["import", "clients" | "contacts" | "employees"], _) => Err(Refusal::MethodNotAllowed("POST")),
            (["import", other], _) => Err(Refusal::NotFound(format!("nothing to import as {other:?}"))),
            (["ratings", "summary"], "GET") => self.ratings_summary(request.query).await,
            (["ratings", "summary"], _) => Err(Refusal::MethodNotAllowed("GET")),
            (["callback-requests"], "GET") => self.call_me_requests(request.query).await,
            (["callback-requests"], _) => Err(Refusal::MethodNotAllowed("GET")),
            (["callback-requests", id], "PATCH") => self.patch_call_me(id, parse(request.body)?, now).await,
            (["callback-requests", _], _) => Err(Refusal::MethodNotAllowed("PATCH")),
            (["tickets"], "GET") => self.list_tickets(request.query).await,
            (["uploads"], "POST") => self.create_upload(parse(request.body)?, now).await,
            (["uploads"], _) => Err(Refusal::MethodNotAllowed("POST")),
            (["tickets"], "POST") => {
                let once = self.once(request, now).await?;
                match once {
                    Once::Answered(response) => Ok(response),
                    Once::Fresh(pending) => self.create_ticket(parse(request.body)?, pending.as_ref(), now).await,
                }
            }
            (["tickets"], _) => Err(Refusal::MethodNotAllowed("GET, POST")),
            (["tickets", id], "GET") => self.get_ticket(ticket_id(id)?).await,
            (["tickets", id], "PATCH") => self.patch_ticket(ticket_id(id)?, parse(request.body)?, now).await,
            (["tickets", _], _) => Err(Refusal::MethodNotAllowed("GET, PATCH")),
            (["tickets", id, "comments"], "POST") => {
                let ticket_id = ticket_id(id)?;
                match self.once(request, now).await? {
                    Once::Answered(response) => Ok(response),
                    Once::Fresh(pending) => {
                        self.add_comment(ticket_id, parse(request.body)?, pending.as_ref(), now).await
                    }
                }
            }
            (["tickets", _, "comments"], _) => Err(Refusal::MethodNotAllowed("POST")),
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
                self.cursor = Some(
                    cursor_position(value)
                        .ok_or_else(|| Refusal::Invalid("cursor: not a cursor (give next_cursor as it came)".into()))?,
                )
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
/// A cursor: `<nanoseconds since the epoch>.<id>` of the last record a page showed (the time
/// exact, as stored). Any text of that shape is a place in a listing (the document gives its
/// pattern), so a cursor is refused only for its shape, never for where it points.
fn cursor_text(position: &Position) -> String {
    format!("{}.{}", position.at.timestamp_nanos_opt().unwrap_or(i64::MAX), position.id)
}

fn cursor_position(text: &str) -> Option<Position> {
    let (nanos, id) = text.split_once('.')?;
    // At most 18 digits, or 19 starting with 1-8: what the document's pattern says, all of it
    // within an i64 of nanoseconds.
    let digits_ok = nanos.bytes().all(|b| b.is_ascii_digit())
        && (matches!(nanos.len(), 1..=18) || (nanos.len() == 19 && (b'1'..=b'8').contains(&nanos.as_bytes()[0])));
    if !digits_ok {
        return None;
    }
    if !crate::domain::valid_id(id) {
        return None;
    }
    let at = DateTime::from_timestamp_nanos(nanos.parse().ok()?);
    Some(Position { at, id: id.to_owned() })
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
