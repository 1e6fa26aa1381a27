//! The staff/integration API: how the rest of the service desk reads and changes the directory.
//!
//! Transport-free: [`Api::handle`] takes the method, path, `Authorization` header and body, and
//! returns a status and a JSON body, so it runs the same behind an HttpApi, a Function URL, or
//! the local runner. Errors are `{"error": {"code", "message"}}`: 401 without the bearer token,
//! 400 for a body that is not JSON, 422 for a body that fails validation, 404 for an unknown
//! resource or path, 405 for a known path with another method.

use crate::config::Secret;
use crate::domain::valid_id;
use crate::domain::{
    Actor, Attachment, AuthorKind, CallMeRequest, CallMeState, Client, Comment, Contact, Employee, JournalEntry,
    TelegramUserId, Ticket, TicketDetails, TicketStatus, BOT_SOURCE,
};
use crate::phone::{self, Region};
use crate::ports::{
    CallMeRequests, Directory, FileLinks, KeptResult, KeptResults, Position, StoreError, TicketFilter, TicketStore,
    PAGE_MAX, PUT_CONTACTS_MAX, RATINGS_PERIOD_MAX_DAYS,
};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

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

/// How long a creation's result is kept under its `Idempotency-Key`.
const KEPT_FOR_SECS: i64 = 24 * 60 * 60;
/// The most lines one `POST /import/{kind}` takes (413 above).
pub const IMPORT_MAX_ROWS: usize = 5_000;
/// How many lines of an import are stored at once.
const IMPORT_CONCURRENCY: usize = 32;
/// The longest `Idempotency-Key` taken.
const IDEMPOTENCY_KEY_MAX: usize = 255;

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientInput {
    name: String,
    #[serde(default)]
    manager_id: Option<String>,
    #[serde(default)]
    vip: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactInput {
    name: String,
    phone: String,
    client_id: String,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmployeeInput {
    name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketInput {
    contact_id: String,
    subject: String,
    #[serde(default)]
    message: Option<String>,
    source: String,
    #[serde(default)]
    assignee_id: Option<String>,
    #[serde(default)]
    deadline: Option<String>,
    #[serde(default)]
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentInput {
    author_id: String,
    text: String,
    #[serde(default)]
    internal: bool,
}

fn ticket_id(segment: &str) -> Result<u64, Refusal> {
    segment.parse().map_err(|_| Refusal::NotFound(format!("no ticket with id {segment:?}")))
}

/// Directory records read while one page is listed, by id (`None`: not there).
#[derive(Default)]
struct Seen {
    contacts: std::collections::HashMap<String, Option<Contact>>,
    clients: std::collections::HashMap<String, Option<Client>>,
}

/// `PATCH /callback-requests/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallMePatch {
    state: String,
    #[serde(default)]
    by: Option<String>,
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

/// An RFC 3339 time, or a date (its midnight, UTC).
fn parse_moment(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|d| d.with_timezone(&Utc)).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
    })
}

fn parse_deadline(text: &str) -> Result<DateTime<Utc>, Refusal> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| Refusal::Invalid(format!("deadline {text:?} is not an RFC 3339 time")))
}

/// Times in API answers: RFC 3339 in UTC with milliseconds (`2026-11-30T12:00:00.000Z`).
fn time_json(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn journal(at: DateTime<Utc>, event: &str, by: &Actor, details: &str) -> JournalEntry {
    JournalEntry::new(at, event, by.clone(), details)
}

/// A creation under an `Idempotency-Key`: answered before, or to be done (and kept, if keyed).
enum Once {
    Answered(ApiResponse),
    Fresh(Option<PendingResult>),
}

/// What a keyed creation keeps with its write.
struct PendingResult {
    /// Method, path and the header's value.
    key: String,
    request_hash: String,
}

impl PendingResult {
    fn keep(&self, response: &ApiResponse, now: DateTime<Utc>) -> KeptResult {
        KeptResult {
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
            status: response.status,
            body: response.body.to_string(),
            created_at: now,
            expires_at: DateTime::from_timestamp(now.timestamp() + KEPT_FOR_SECS, 0).unwrap_or(now),
        }
    }

    /// The kept answer, if it answered this very body.
    fn answer(&self, kept: &KeptResult) -> ApiResult {
        if kept.request_hash != self.request_hash {
            return Err(Refusal::Invalid(
                "Idempotency-Key: already used with another body; use a new key for a new request".into(),
            ));
        }
        let body = serde_json::from_str(&kept.body)
            .map_err(|_| Refusal::Store(StoreError::Corrupt("a kept result's body is not JSON".into())))?;
        Ok(ApiResponse { status: kept.status, body })
    }
}

/// An import line's number and whether it was stored (or why not).
type LineOutcome = (u64, Result<(), Refusal>);

/// SHA-256 of the body, in hex: a repeat must carry the same bytes.
fn body_hash(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The kinds of record `POST /import/{kind}` takes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Clients,
    Contacts,
    Employees,
}

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

    async fn get_client(&self, id: &str) -> ApiResult {
        let client = self.directory.get_client(id).await?.ok_or_else(|| not_found("client", id))?;
        Ok(ApiResponse::ok(client_json(&client)))
    }

    async fn put_client(&self, id: &str, input: ClientInput) -> ApiResult {
        let client = self.validate_client(id, input).await?;
        let existed = self.directory.get_client(id).await?.is_some();
        self.directory.put_client(&client).await?;
        Ok(ApiResponse { status: if existed { 200 } else { 201 }, body: client_json(&client) })
    }

    async fn validate_client(&self, id: &str, input: ClientInput) -> Result<Client, Refusal> {
        check_id(id)?;
        let name = required_name(input.name)?;
        let manager_id = input.manager_id.filter(|m| !m.trim().is_empty());
        if let Some(manager) = &manager_id {
            if !valid_id(manager) || self.directory.get_employee(manager).await?.is_none() {
                return Err(Refusal::Invalid(format!("manager_id {manager:?} is not a known employee")));
            }
        }
        Ok(Client { id: id.to_owned(), name, manager_id, vip: input.vip })
    }

    async fn get_contact(&self, id: &str) -> ApiResult {
        let contact = self.directory.get_contact(id).await?.ok_or_else(|| not_found("contact", id))?;
        Ok(ApiResponse::ok(contact_json(&contact)))
    }

    async fn put_contact(&self, id: &str, input: ContactInput, now: DateTime<Utc>) -> ApiResult {
        let client_known = valid_id(&input.client_id) && self.directory.get_client(&input.client_id).await?.is_some();
        self.put_contact_of(id, input, client_known, now).await
    }

    /// `PUT /contacts/{id}` once the client is known to exist or not.
    async fn put_contact_of(&self, id: &str, input: ContactInput, client_known: bool, now: DateTime<Utc>) -> ApiResult {
        let existing = self.directory.get_contact(id).await?;
        let (contact, linked) = linked_as_before(self.contact_of(id, input, client_known)?, existing.as_ref());
        let stored = self.directory.put_contact(&contact, linked, now).await?;
        Ok(ApiResponse { status: if existing.is_some() { 200 } else { 201 }, body: contact_json(&stored) })
    }

    /// A contact's validated fields, without its Telegram link ([`linked_as_before`] decides it).
    fn contact_of(&self, id: &str, input: ContactInput, client_known: bool) -> Result<Contact, Refusal> {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = phone::normalize(&input.phone, self.region)
            .ok_or_else(|| Refusal::Invalid(format!("phone {:?} is not a valid phone number", input.phone)))?;
        if !client_known {
            return Err(Refusal::Invalid(format!("client_id {:?} is not a known client", input.client_id)));
        }
        Ok(Contact {
            id: id.to_owned(),
            name,
            phone,
            client_id: input.client_id,
            active: input.active,
            telegram_user: None,
        })
    }

    async fn delete_contact(&self, id: &str, now: DateTime<Utc>) -> ApiResult {
        let mut contact = self.directory.get_contact(id).await?.ok_or_else(|| not_found("contact", id))?;
        let linked = contact.telegram_user.take();
        contact.active = false;
        let stored = self.directory.put_contact(&contact, linked, now).await?;
        Ok(ApiResponse::ok(contact_json(&stored)))
    }

    async fn get_employee(&self, id: &str) -> ApiResult {
        let employee = self.directory.get_employee(id).await?.ok_or_else(|| not_found("employee", id))?;
        Ok(ApiResponse::ok(employee_json(&employee)))
    }

    async fn put_employee(&self, id: &str, input: EmployeeInput) -> ApiResult {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = match input.phone.filter(|p| !p.trim().is_empty()) {
            None => None,
            Some(raw) => Some(
                phone::normalize(&raw, self.region)
                    .ok_or_else(|| Refusal::Invalid(format!("phone {raw:?} is not a valid phone number")))?,
            ),
        };
        let existing = self.directory.get_employee(id).await?;
        let linked = existing.as_ref().and_then(|e| e.telegram_user);
        // As for contacts: a departed employee, or one with a new phone, is unlinked.
        let keeps_link = input.active && existing.as_ref().is_some_and(|e| e.phone == phone);
        let employee = Employee {
            id: id.to_owned(),
            name,
            phone,
            active: input.active,
            telegram_user: linked.filter(|_| keeps_link),
        };
        let stored = self.directory.put_employee(&employee, linked).await?;
        Ok(ApiResponse { status: if existing.is_some() { 200 } else { 201 }, body: employee_json(&stored) })
    }

    /// Deactivates the employee: unlinked, told nothing more; their tickets keep their history.
    async fn delete_employee(&self, id: &str) -> ApiResult {
        let mut employee = self.directory.get_employee(id).await?.ok_or_else(|| not_found("employee", id))?;
        let linked = employee.telegram_user.take();
        employee.active = false;
        let stored = self.directory.put_employee(&employee, linked).await?;
        Ok(ApiResponse::ok(employee_json(&stored)))
    }

    async fn get_ticket(&self, id: u64) -> ApiResult {
        let details = self.directory.ticket_details(id).await?.ok_or_else(|| not_found("ticket", &id.to_string()))?;
        Ok(ApiResponse::ok(self.ticket_json(&details).await?))
    }

    async fn list_tickets(&self, query: &str) -> ApiResult {
        let mut filter = TicketFilter::default();
        let mut paging = Paging::default();
        for (key, value) in query_pairs(query) {
            match key.as_str() {
                "contact_id" => filter.contact_id = Some(value),
                "client_id" => filter.client_id = Some(value),
                "status" => {
                    filter.status = Some(
                        TicketStatus::from_code(&value)
                            .ok_or_else(|| Refusal::Invalid(format!("status {value:?} is not a ticket status")))?,
                    )
                }
                "rated" => {
                    filter.rated = Some(parse_bool(&value, true).map_err(|e| Refusal::Invalid(format!("rated: {e}")))?)
                }
                _ => paging.take(&key, &value, "contact_id, client_id, status, rated")?,
            }
        }
        let page = self.directory.list_tickets(&filter, paging.cursor.as_ref(), paging.limit).await?;
        let mut listed = Vec::with_capacity(page.items.len());
        let mut names = std::collections::HashMap::new();
        for ticket in &page.items {
            listed.push(self.ticket_summary_json(ticket, &mut names).await?);
        }
        Ok(ApiResponse::ok(json!({ "tickets": listed, "next_cursor": page.next.as_ref().map(cursor_text) })))
    }

    /// Whether a creation was answered under the request's `Idempotency-Key` already (a live
    /// result with another body is 422); else what to keep with the write, if there is a key.
    async fn once(&self, request: &ApiRequest<'_>, now: DateTime<Utc>) -> Result<Once, Refusal> {
        let Some(key) = request.idempotency_key else { return Ok(Once::Fresh(None)) };
        if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX || !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(Refusal::Invalid(format!(
                "Idempotency-Key: must be 1-{IDEMPOTENCY_KEY_MAX} printable ASCII characters"
            )));
        }
        let pending = PendingResult {
            key: format!("{} {}#{key}", request.method.to_ascii_uppercase(), request.path),
            request_hash: body_hash(request.body),
        };
        match self.directory.kept_result(&pending.key, now).await? {
            Some(kept) => Ok(Once::Answered(pending.answer(&kept)?)),
            None => Ok(Once::Fresh(Some(pending))),
        }
    }

    /// The answer after a write that lost to a concurrent one under the same key: the first's.
    async fn answer_kept(&self, pending: &PendingResult, now: DateTime<Utc>) -> ApiResult {
        match self.directory.kept_result(&pending.key, now).await? {
            Some(kept) => pending.answer(&kept),
            None => Err(Refusal::Store(StoreError::Conflict)),
        }
    }

    async fn create_ticket(&self, input: TicketInput, once: Option<&PendingResult>, now: DateTime<Utc>) -> ApiResult {
        let contact =
            self.directory.get_contact(&input.contact_id).await?.filter(|c| c.active).ok_or_else(|| {
                Refusal::Invalid(format!("contact_id {:?} is not an active contact", input.contact_id))
            })?;
        let subject = input.subject.trim().to_owned();
        if subject.is_empty() || subject.chars().count() > 200 {
            return Err(Refusal::Invalid("subject must be 1-200 characters".into()));
        }
        let source = input.source.trim().to_owned();
        if source.is_empty() || source.len() > 40 || source == BOT_SOURCE {
            return Err(Refusal::Invalid(
                "source must be 1-40 characters and not \"messenger\" (the bot's own)".into(),
            ));
        }
        let assignee = match input.assignee_id.filter(|a| !a.is_empty()) {
            Some(id) => Some(self.employee(&id, "assignee_id").await?),
            None => None,
        };
        let deadline = input.deadline.as_deref().map(parse_deadline).transpose()?;
        let by = self.actor(input.by.as_deref()).await?;
        let id = self.directory.next_ticket_id().await?;
        let ticket = Ticket {
            id,
            subject,
            message: input.message.unwrap_or_default(),
            status: TicketStatus::New,
            source: source.clone(),
            client_id: contact.client_id.clone(),
            contact_id: contact.id.clone(),
            assignee_id: assignee.as_ref().map(|e| e.id.clone()),
            assignee_name: assignee.map(|e| e.name),
            deadline,
            created_at: now,
            updated_at: now,
            changed_by: by.clone(),
            version: 1,
            completed_at: None,
            rating: None,
        };
        let journal = [ticket.creation_entry()];
        // The answer is made before the write: once the write is committed, nothing can fail.
        let details = TicketDetails { ticket, comments: vec![], attachments: vec![], journal: journal.to_vec() };
        let response = ApiResponse { status: 201, body: self.ticket_json(&details).await? };
        let kept = once.map(|pending| pending.keep(&response, now));
        match self.directory.create_ticket(&details.ticket, &journal, kept.as_ref()).await {
            Ok(()) => Ok(response),
            Err(StoreError::Duplicate) => match once {
                Some(pending) => self.answer_kept(pending, now).await,
                None => Err(Refusal::Store(StoreError::Conflict)),
            },
            Err(other) => Err(other.into()),
        }
    }

    async fn patch_ticket(&self, id: u64, patch: serde_json::Map<String, Value>, now: DateTime<Utc>) -> ApiResult {
        if let Some(unknown) = patch.keys().find(|k| !["status", "assignee_id", "deadline", "by"].contains(&k.as_str()))
        {
            return Err(Refusal::Invalid(format!(
                "{unknown}: unknown field `{unknown}`, expected one of `status`, `assignee_id`, `deadline`, `by`"
            )));
        }
        let status = match patch.get("status") {
            None => None,
            Some(Value::String(code)) => Some(
                TicketStatus::from_code(code)
                    .ok_or_else(|| Refusal::Invalid(format!("status {code:?} is not a ticket status")))?,
            ),
            Some(_) => return Err(Refusal::Invalid("status: must be a status code".into())),
        };
        let assignee = match patch.get("assignee_id") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(id)) => Some(Some(self.employee(id, "assignee_id").await?)),
            Some(_) => return Err(Refusal::Invalid("assignee_id: must be an employee id or null".into())),
        };
        let deadline = match patch.get("deadline") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(text)) => Some(Some(parse_deadline(text)?)),
            Some(_) => return Err(Refusal::Invalid("deadline: must be an RFC 3339 time or null".into())),
        };
        let by = match patch.get("by") {
            None | Some(Value::Null) => self.actor(None).await?,
            Some(Value::String(id)) => self.actor(Some(id)).await?,
            Some(_) => return Err(Refusal::Invalid("by: must be an employee id".into())),
        };
        // Read, change, write on condition that nobody wrote in between; on a race, again.
        for _ in 0..3 {
            let details =
                self.directory.ticket_details(id).await?.ok_or_else(|| not_found("ticket", &id.to_string()))?;
            let before = &details.ticket;
            let mut after = before.clone();
            let mut entries = vec![];
            if let Some(status) = status.filter(|s| *s != before.status) {
                entries.push(journal(
                    now,
                    "status_changed",
                    &by,
                    &format!("{} → {}", before.status.code(), status.code()),
                ));
                after.moved_to(status, now);
            }
            if let Some(assignee) =
                assignee.clone().filter(|a| a.as_ref().map(|e| &e.id) != before.assignee_id.as_ref())
            {
                let shown = |a: Option<&String>| a.cloned().unwrap_or_else(|| "—".into());
                let details =
                    format!("{} → {}", shown(before.assignee_id.as_ref()), shown(assignee.as_ref().map(|e| &e.id)));
                entries.push(journal(now, "assignee_changed", &by, &details));
                after.assignee_id = assignee.as_ref().map(|e| e.id.clone());
                after.assignee_name = assignee.map(|e| e.name);
            }
            if let Some(deadline) = deadline.filter(|d| *d != before.deadline) {
                let shown = |d: &Option<DateTime<Utc>>| d.map_or_else(|| "—".into(), |d| d.to_rfc3339());
                entries.push(journal(
                    now,
                    "deadline_changed",
                    &by,
                    &format!("{} → {}", shown(&before.deadline), shown(&deadline)),
                ));
                after.deadline = deadline;
            }
            if entries.is_empty() {
                return Ok(ApiResponse::ok(self.ticket_json(&details).await?));
            }
            after.updated_at = now;
            after.changed_by = by.clone();
            after.version = before.version + 1;
            match self.directory.update_ticket(&after, &entries).await {
                Ok(()) => {
                    let mut journal_all = details.journal.clone();
                    journal_all.extend(entries);
                    let updated = TicketDetails { ticket: after, journal: journal_all, ..details };
                    return Ok(ApiResponse::ok(self.ticket_json(&updated).await?));
                }
                Err(StoreError::Conflict) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(Refusal::Store(StoreError::Conflict))
    }

    async fn add_comment(
        &self,
        ticket_id: u64,
        input: CommentInput,
        once: Option<&PendingResult>,
        now: DateTime<Utc>,
    ) -> ApiResult {
        let author = self.employee(&input.author_id, "author_id").await?;
        let text = input.text.trim().to_owned();
        if text.is_empty() {
            return Err(Refusal::Invalid("text must not be empty".into()));
        }
        if self.directory.ticket_details(ticket_id).await?.is_none() {
            return Err(not_found("ticket", &ticket_id.to_string()));
        }
        static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let sequence = SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let comment = Comment {
            id: format!("e{}-{sequence}", now.timestamp_micros()),
            ticket_id,
            author_kind: AuthorKind::Employee,
            author_id: author.id.clone(),
            author_name: author.name.clone(),
            text,
            internal: input.internal,
            created_at: now,
        };
        let response = ApiResponse { status: 201, body: self.comment_json(&comment, &[]).await? };
        let kept = once.map(|pending| pending.keep(&response, now));
        match self.directory.add_comment(&comment, kept.as_ref()).await {
            Ok(()) => Ok(response),
            Err(StoreError::Duplicate) => match once {
                Some(pending) => self.answer_kept(pending, now).await,
                None => Err(Refusal::Store(StoreError::Conflict)),
            },
            Err(StoreError::Conflict) => Err(not_found("ticket", &ticket_id.to_string())),
            Err(other) => Err(other.into()),
        }
    }

    async fn call_me_requests(&self, query: &str) -> ApiResult {
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
    async fn ratings_summary(&self, query: &str) -> ApiResult {
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
    async fn patch_call_me(&self, id: &str, patch: CallMePatch, now: DateTime<Utc>) -> ApiResult {
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

    async fn employee(&self, id: &str, field: &str) -> Result<Employee, Refusal> {
        let known = if valid_id(id) { self.directory.get_employee(id).await? } else { None };
        known.ok_or_else(|| Refusal::Invalid(format!("{field} {id:?} is not a known employee")))
    }

    /// Who a change is journaled as: `employee:<id>` (checked) or `api`.
    async fn actor(&self, by: Option<&str>) -> Result<Actor, Refusal> {
        match by.filter(|b| !b.is_empty()) {
            Some(id) => Ok(Actor::Employee(self.employee(id, "by").await?.id)),
            None => Ok(Actor::Api),
        }
    }

    async fn ticket_json(&self, details: &TicketDetails) -> Result<Value, Refusal> {
        let mut names = std::collections::HashMap::new();
        let mut body = self.ticket_summary_json(&details.ticket, &mut names).await?;
        let mut comments = vec![];
        for comment in &details.comments {
            let files: Vec<&Attachment> =
                details.attachments.iter().filter(|a| a.comment_id.as_deref() == Some(comment.id.as_str())).collect();
            comments.push(self.comment_json(comment, &files).await?);
        }
        let own: Vec<&Attachment> = details.attachments.iter().filter(|a| a.comment_id.is_none()).collect();
        body["comments"] = Value::Array(comments);
        body["attachments"] = self.attachments_json(&own).await?;
        body["journal"] = details
            .journal
            .iter()
            .map(|e| json!({"at": e.at, "event": e.event, "by": e.by.code(), "details": e.details}))
            .collect();
        Ok(body)
    }

    async fn ticket_summary_json(
        &self,
        ticket: &Ticket,
        names: &mut std::collections::HashMap<String, String>,
    ) -> Result<Value, Refusal> {
        let assignee = match &ticket.assignee_id {
            Some(id) => {
                if !names.contains_key(id) {
                    let name = self.directory.get_employee(id).await?.map(|e| e.name).unwrap_or_default();
                    names.insert(id.clone(), name);
                }
                json!({"id": id, "name": names[id]})
            }
            None => Value::Null,
        };
        Ok(json!({
            "id": ticket.id,
            "subject": ticket.subject,
            "message": ticket.message,
            "status": ticket.status.code(),
            "status_name": ticket.status.name(crate::texts::Lang::Ru),
            "source": ticket.source,
            "client_id": ticket.client_id,
            "contact_id": ticket.contact_id,
            "assignee": assignee,
            "deadline": ticket.deadline.map(time_json),
            "rating": ticket.rating.map(|r| json!({"score": r.score, "at": time_json(r.at)})),
            "created_at": time_json(ticket.created_at),
            "updated_at": time_json(ticket.updated_at),
        }))
    }

    async fn comment_json(&self, comment: &Comment, files: &[&Attachment]) -> Result<Value, Refusal> {
        let kind = match comment.author_kind {
            AuthorKind::Client => "client",
            AuthorKind::Employee => "employee",
        };
        Ok(json!({
            "id": comment.id,
            "author": {"kind": kind, "id": comment.author_id, "name": comment.author_name},
            "text": comment.text,
            "internal": comment.internal,
            "created_at": time_json(comment.created_at),
            "attachments": self.attachments_json(files).await?,
        }))
    }

    async fn attachments_json(&self, files: &[&Attachment]) -> Result<Value, Refusal> {
        let mut out = vec![];
        for file in files {
            let url = self.links.link(&file.key).await?;
            out.push(json!({"name": file.name, "content_type": file.content_type, "size": file.size, "url": url}));
        }
        Ok(Value::Array(out))
    }

    /// Bulk upsert from CSV whose header names the same fields as the JSON bodies, plus the
    /// record's id (`id`, or `client_id` / `contact_id` / `employee_id`). Each line is validated
    /// and stored like a PUT (so contacts and employees keep their Telegram links in step), a
    /// few at a time; a bad line is reported and the rest still imported. At most
    /// [`IMPORT_MAX_ROWS`] lines (413 above, before anything is written), so an import ends well
    /// inside the API's 30 s. Repeating an import stores the same records again: same result.
    async fn import(&self, kind: Kind, body: &[u8], now: DateTime<Utc>) -> ApiResult {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(body);
        let header = reader.headers().map_err(|e| Refusal::BadBody(format!("CSV header: {e}")))?.clone();
        let id_column = ["id", kind_id_column(kind)]
            .into_iter()
            .find_map(|name| header.iter().position(|h| h == name))
            .ok_or_else(|| {
                Refusal::Invalid(format!("the CSV header needs an \"id\" or \"{}\" column", kind_id_column(kind)))
            })?;
        let mut rows = vec![];
        let mut rejected = vec![];
        for (count, record) in reader.records().enumerate() {
            if count >= IMPORT_MAX_ROWS {
                return Err(Refusal::TooLarge(format!(
                    "an import takes at most {IMPORT_MAX_ROWS} lines; split the file"
                )));
            }
            match record {
                Ok(record) => rows.push(record),
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line());
                    rejected.push((line, format!("unreadable CSV: {error}")));
                }
            }
        }
        // One id twice in a file would race with itself; the first line wins, the rest are refused.
        let mut first_line = std::collections::HashMap::new();
        let mut unique = vec![];
        for row in rows {
            let line = row.position().map_or(0, |p| p.line());
            let id = row.get(id_column).unwrap_or_default().to_owned();
            match first_line.get(&id) {
                Some(first) => rejected.push((line, format!("id {id:?} is already on line {first}"))),
                None => {
                    first_line.insert(id, line);
                    unique.push(row);
                }
            }
        }
        let clients = self.known_clients(kind, &header, &unique).await?;
        let (header, clients) = (&header, &clients);
        let outcomes: Vec<LineOutcome> = if matches!(kind, Kind::Contacts) {
            self.import_contacts(header, id_column, clients, unique, now).await?
        } else {
            futures_util::stream::iter(unique)
                .map(|row| async move {
                    let line = row.position().map_or(0, |p| p.line());
                    (line, self.import_row(kind, header, id_column, clients, &row, now).await.map(drop))
                })
                .buffered(IMPORT_CONCURRENCY)
                .collect()
                .await
        };
        let mut imported = 0usize;
        for (line, outcome) in outcomes {
            match outcome {
                Ok(_) => imported += 1,
                Err(Refusal::Invalid(reason) | Refusal::NotFound(reason) | Refusal::BadBody(reason)) => {
                    rejected.push((line, reason));
                }
                Err(Refusal::Store(StoreError::Conflict)) => {
                    rejected.push((line, "the record changed concurrently; import the line again".into()));
                }
                Err(other) => return Err(other),
            }
        }
        rejected.sort_by_key(|(line, _)| *line);
        let rejected: Vec<Value> =
            rejected.into_iter().map(|(line, reason)| json!({"line": line, "reason": reason})).collect();
        Ok(ApiResponse::ok(json!({"imported": imported, "rejected": rejected})))
    }

    /// Contacts in few writes: the lines validated, the links read in batches, then up to
    /// [`PUT_CONTACTS_MAX`] contacts per transaction, each on condition of its link as read.
    /// A batch that lost a race (a link made meanwhile) is stored line by line again.
    async fn import_contacts(
        &self,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        rows: Vec<csv::StringRecord>,
        now: DateTime<Utc>,
    ) -> Result<Vec<LineOutcome>, Refusal> {
        let mut outcomes = vec![];
        let mut valid = vec![];
        for row in &rows {
            let line = row.position().map_or(0, |p| p.line());
            match self.contact_line(header, id_column, clients, row) {
                Ok(contact) => valid.push((line, contact)),
                Err(refusal) => outcomes.push((line, Err(refusal))),
            }
        }
        let ids: Vec<String> = valid.iter().map(|(_, contact)| contact.id.clone()).collect();
        let existing = self.directory.get_contacts(&ids).await?;
        let valid: Vec<(u64, ContactWrite)> = valid
            .into_iter()
            .map(|(line, contact)| {
                let before = existing.get(&contact.id);
                (line, linked_as_before(contact, before))
            })
            .collect();
        let batches: Vec<Result<Vec<LineOutcome>, Refusal>> =
            futures_util::stream::iter(valid.chunks(PUT_CONTACTS_MAX).map(<[_]>::to_vec).collect::<Vec<_>>())
                .map(|batch| self.put_contact_batch(batch, now))
                .buffered(IMPORT_CONCURRENCY)
                .collect()
                .await;
        let batches: Vec<Vec<LineOutcome>> = batches.into_iter().collect::<Result<_, _>>()?;
        outcomes.extend(batches.into_iter().flatten());
        Ok(outcomes)
    }

    /// One transaction of contacts; after a lost race, each alone.
    async fn put_contact_batch(
        &self,
        batch: Vec<(u64, ContactWrite)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<LineOutcome>, Refusal> {
        let contacts: Vec<ContactWrite> = batch.iter().map(|(_, write)| write.clone()).collect();
        match self.directory.put_contacts(&contacts, now).await {
            Ok(_) => Ok(batch.iter().map(|(line, _)| (*line, Ok(()))).collect()),
            Err(StoreError::Conflict) => {
                let mut one_by_one = vec![];
                for (line, (contact, _)) in &batch {
                    one_by_one.push((*line, self.put_contact_again(contact, now).await));
                }
                Ok(one_by_one)
            }
            Err(other) => Err(Refusal::Store(other)),
        }
    }

    /// A contact line's fields, validated.
    fn contact_line(
        &self,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        record: &csv::StringRecord,
    ) -> Result<Contact, Refusal> {
        let field = |name: &str| {
            header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_owned).unwrap_or_default()
        };
        let active =
            parse_bool(&field("active"), true).map_err(|reason| Refusal::Invalid(format!("active: {reason}")))?;
        let input = ContactInput { name: field("name"), phone: field("phone"), client_id: field("client_id"), active };
        let client_known = clients.get(&input.client_id).copied().unwrap_or(false);
        self.contact_of(record.get(id_column).unwrap_or_default(), input, client_known)
    }

    /// One contact of a batch that lost a race: its link read again, then stored alone.
    async fn put_contact_again(&self, contact: &Contact, now: DateTime<Utc>) -> Result<(), Refusal> {
        let existing = self.directory.get_contact(&contact.id).await?;
        let (contact, linked) = linked_as_before(contact.clone(), existing.as_ref());
        self.directory.put_contact(&contact, linked, now).await?;
        Ok(())
    }

    /// Which of the clients the contacts of an import name exist (read once each).
    async fn known_clients(
        &self,
        kind: Kind,
        header: &csv::StringRecord,
        rows: &[csv::StringRecord],
    ) -> Result<std::collections::HashMap<String, bool>, Refusal> {
        let mut known = std::collections::HashMap::new();
        let Some(column) = header.iter().position(|h| h == "client_id").filter(|_| matches!(kind, Kind::Contacts))
        else {
            return Ok(known);
        };
        for id in rows.iter().filter_map(|row| row.get(column)) {
            if !known.contains_key(id) {
                let exists = valid_id(id) && self.directory.get_client(id).await?.is_some();
                known.insert(id.to_owned(), exists);
            }
        }
        Ok(known)
    }

    async fn import_row(
        &self,
        kind: Kind,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        record: &csv::StringRecord,
        now: DateTime<Utc>,
    ) -> ApiResult {
        let field = |name: &str| {
            header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_owned).unwrap_or_default()
        };
        let id = record.get(id_column).unwrap_or_default().to_owned();
        match kind {
            Kind::Clients => {
                let vip =
                    parse_bool(&field("vip"), false).map_err(|reason| Refusal::Invalid(format!("vip: {reason}")))?;
                let manager = Some(field("manager_id")).filter(|m| !m.is_empty());
                self.put_client(&id, ClientInput { name: field("name"), manager_id: manager, vip }).await
            }
            Kind::Contacts => {
                let contact = self.contact_line(header, id_column, clients, record)?;
                self.put_contact_again(&contact, now).await.map(|()| ApiResponse::ok(contact_json(&contact)))
            }
            Kind::Employees => match parse_bool(&field("active"), true) {
                Ok(active) => {
                    let phone = Some(field("phone")).filter(|p| !p.is_empty());
                    self.put_employee(&id, EmployeeInput { name: field("name"), phone, active }).await
                }
                Err(reason) => Err(Refusal::Invalid(format!("active: {reason}"))),
            },
        }
    }
}

/// A contact to write and the Telegram account it was linked to as read.
type ContactWrite = (Contact, Option<TelegramUserId>);

/// A contact written over `before` keeps the account linked before while it stays active with
/// the phone that account proved; after a new phone the person registers again with it.
fn linked_as_before(mut contact: Contact, before: Option<&Contact>) -> ContactWrite {
    let linked = before.and_then(|c| c.telegram_user);
    let keeps_link = contact.active && before.is_some_and(|c| c.phone == contact.phone);
    contact.telegram_user = linked.filter(|_| keeps_link);
    (contact, linked)
}

fn kind_id_column(kind: Kind) -> &'static str {
    match kind {
        Kind::Clients => "client_id",
        Kind::Contacts => "contact_id",
        Kind::Employees => "employee_id",
    }
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

fn check_id(id: &str) -> Result<(), Refusal> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(Refusal::Invalid(format!("id {id:?} must be 1-40 characters of A-Z, a-z, 0-9, '.', '_', '-'")))
    }
}

fn required_name(name: String) -> Result<String, Refusal> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Refusal::Invalid("name must be 1-200 characters".into()));
    }
    Ok(name.to_owned())
}

fn not_found(kind: &str, id: &str) -> Refusal {
    Refusal::NotFound(format!("no {kind} with id {id:?}"))
}

pub fn client_json(client: &Client) -> Value {
    json!({"id": client.id, "name": client.name, "manager_id": client.manager_id, "vip": client.vip})
}

pub fn contact_json(contact: &Contact) -> Value {
    json!({
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone,
        "client_id": contact.client_id,
        "active": contact.active,
        "telegram_linked": contact.telegram_user.is_some(),
    })
}

pub fn employee_json(employee: &Employee) -> Value {
    json!({
        "id": employee.id,
        "name": employee.name,
        "phone": employee.phone,
        "active": employee.active,
        "telegram_linked": employee.telegram_user.is_some(),
    })
}

#[cfg(test)]
mod tests;
