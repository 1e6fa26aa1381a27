//! Tickets and their comments: `GET`/`POST /tickets`, `GET`/`PATCH /tickets/{id}` and
//! `POST /tickets/{id}/comments`. A creation under an `Idempotency-Key` keeps its answer in the
//! write it answers, so that a repeat gets the first answer and writes nothing.

use super::{
    cursor_text, id_field, not_found, parse_bool, query_pairs, time_json, Api, ApiRequest, ApiResponse, ApiResult,
    Paging, Refusal,
};
use crate::domain::{Attachment, AuthorKind, Comment, Ticket, TicketDetails, TicketPatch, TicketStatus, BOT_SOURCE};
use crate::ports::{
    CallMeRequests, Directory, FileLinks, KeptResult, KeptResults, StoreError, TicketFilter, TicketStore, Uploads,
};
use chrono::{DateTime, Utc};

/// The most characters of a ticket's message or a comment's text: a record stays well within
/// DynamoDB's 400 KB an item, its kept answer (JSON, where a control character takes 6 bytes)
/// too; more is refused (422), never a storage error.
const TEXT_MAX_CHARS: usize = 20_000;

/// The route a creation's path names, as the router reads it (empty segments dropped, the ticket
/// id as a number): an `Idempotency-Key` belongs to it, however the path was written.
fn route_of(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["tickets", id, "comments"] => match id.parse::<u64>() {
            Ok(id) => format!("/tickets/{id}/comments"),
            Err(_) => "/tickets/-/comments".to_owned(),
        },
        _ => format!("/{}", segments.join("/")),
    }
}
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How long a creation's result is kept under its `Idempotency-Key`.
const KEPT_FOR_SECS: i64 = 24 * 60 * 60;

/// The longest `Idempotency-Key` taken.
const IDEMPOTENCY_KEY_MAX: usize = 255;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TicketInput {
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
    /// Upload ids (`POST /uploads`): the ticket's files.
    #[serde(default)]
    attachments: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommentInput {
    author_id: String,
    text: String,
    #[serde(default)]
    internal: bool,
    /// Upload ids (`POST /uploads`): the comment's files.
    #[serde(default)]
    attachments: Vec<String>,
}

fn parse_deadline(text: &str) -> Result<DateTime<Utc>, Refusal> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| Refusal::Invalid(format!("deadline {text:?} is not an RFC 3339 time")))
}

/// A creation under an `Idempotency-Key`: answered before, or to be done (and kept, if keyed).
pub(super) enum Once {
    Answered(ApiResponse),
    Fresh(Option<PendingResult>),
}

/// What a keyed creation keeps with its write.
pub(super) struct PendingResult {
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
        Ok(ApiResponse::new(kept.status, body))
    }
}

/// SHA-256 of the body, in hex: a repeat must carry the same bytes.
/// The fingerprint of a request's body: of its JSON value (keys sorted, spacing dropped), so
/// that the same request written with its fields in another order is the same request.
fn body_hash(body: &[u8]) -> String {
    let canonical = serde_json::from_slice::<Value>(body).ok().and_then(|value| serde_json::to_vec(&value).ok());
    Sha256::digest(canonical.as_deref().unwrap_or(body)).iter().map(|byte| format!("{byte:02x}")).collect()
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
    pub(super) async fn get_ticket(&self, id: u64) -> ApiResult {
        let details = self.directory.ticket_details(id).await?.ok_or_else(|| not_found("ticket", &id.to_string()))?;
        Ok(ApiResponse::ok(self.ticket_json(&details).await?))
    }

    pub(super) async fn list_tickets(&self, query: &str) -> ApiResult {
        let mut filter = TicketFilter::default();
        let mut paging = Paging::default();
        for (key, value) in query_pairs(query) {
            match key.as_str() {
                "contact_id" => {
                    id_field("contact_id", &value)?;
                    filter.contact_id = Some(value)
                }
                "client_id" => {
                    id_field("client_id", &value)?;
                    filter.client_id = Some(value)
                }
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
    pub(super) async fn once(&self, request: &ApiRequest<'_>, now: DateTime<Utc>) -> Result<Once, Refusal> {
        let Some(key) = request.idempotency_key else { return Ok(Once::Fresh(None)) };
        if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX || !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(Refusal::Invalid(format!(
                "Idempotency-Key: must be 1-{IDEMPOTENCY_KEY_MAX} printable ASCII characters"
            )));
        }
        let pending = PendingResult {
            key: format!("{} {}#{key}", request.method.to_ascii_uppercase(), route_of(request.path)),
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

    pub(super) async fn create_ticket(
        &self,
        input: TicketInput,
        once: Option<&PendingResult>,
        now: DateTime<Utc>,
    ) -> ApiResult {
        id_field("contact_id", &input.contact_id)?;
        let contact = self
            .directory
            .get_contact(&input.contact_id)
            .await?
            .ok_or_else(|| Refusal::Unknown(format!("contact_id {:?} is not a known contact", input.contact_id)))?;
        if !contact.active {
            return Err(Refusal::Inactive(format!("contact_id {:?} is a deactivated contact", input.contact_id)));
        }
        let subject = input.subject.trim().to_owned();
        if subject.is_empty() || subject.chars().count() > 200 {
            return Err(Refusal::Invalid("subject must be 1-200 characters".into()));
        }
        let message = input.message.unwrap_or_default();
        if message.chars().count() > TEXT_MAX_CHARS {
            return Err(Refusal::Invalid(format!("message must be at most {TEXT_MAX_CHARS} characters")));
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
        let attached = self.attached(&input.attachments, now).await?;
        let id = self.directory.next_ticket_id().await?;
        let ticket = Ticket {
            id,
            subject,
            message,
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
            low_score_told: None,
            rating: None,
        };
        let journal = [ticket.creation_entry()];
        // The answer is made before the write: once the write is committed, nothing can fail.
        let attachments = attached.files.iter().map(|f| f.attachment(None)).collect();
        let details = TicketDetails { ticket, comments: vec![], attachments, journal: journal.to_vec() };
        let response = ApiResponse::new(201, self.ticket_json(&details).await?);
        let kept = once.map(|pending| pending.keep(&response, now));
        match self.directory.create_ticket_with(&details.ticket, &journal, kept.as_ref(), &attached).await {
            Ok(()) => Ok(response),
            Err(StoreError::Duplicate) => match once {
                Some(pending) => self.answer_kept(pending, now).await,
                None => Err(Refusal::Store(StoreError::Conflict)),
            },
            Err(StoreError::Conflict) => {
                Err(self.used_meanwhile(&attached).await?.unwrap_or(StoreError::Conflict.into()))
            }
            Err(other) => Err(other.into()),
        }
    }

    pub(super) async fn patch_ticket(
        &self,
        id: u64,
        patch: serde_json::Map<String, Value>,
        now: DateTime<Utc>,
    ) -> ApiResult {
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
            Some(Value::String(id)) => {
                let employee = self.employee(id, "assignee_id").await?;
                Some(Some((employee.id, employee.name)))
            }
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
        let change = TicketPatch { status, assignee, deadline };
        // Read, change, write on condition that nobody wrote in between; on a race, again.
        for _ in 0..3 {
            let details =
                self.directory.ticket_details(id).await?.ok_or_else(|| not_found("ticket", &id.to_string()))?;
            let Some((after, entries)) = change.apply(&details.ticket, &by, now) else {
                return Ok(ApiResponse::ok(self.ticket_json(&details).await?));
            };
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

    pub(super) async fn add_comment(
        &self,
        ticket_id: u64,
        input: CommentInput,
        once: Option<&PendingResult>,
        now: DateTime<Utc>,
    ) -> ApiResult {
        let author = self.employee(&input.author_id, "author_id").await?;
        let text = input.text.trim().to_owned();
        if text.is_empty() || text.chars().count() > TEXT_MAX_CHARS {
            return Err(Refusal::Invalid(format!("text must be 1-{TEXT_MAX_CHARS} characters")));
        }
        if self.directory.ticket_details(ticket_id).await?.is_none() {
            return Err(not_found("ticket", &ticket_id.to_string()));
        }
        let attached = self.attached(&input.attachments, now).await?;
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
        let files: Vec<Attachment> = attached.files.iter().map(|f| f.attachment(Some(&comment.id))).collect();
        let response = ApiResponse::new(201, self.comment_json(&comment, &files.iter().collect::<Vec<_>>()).await?);
        let kept = once.map(|pending| pending.keep(&response, now));
        match self.directory.add_comment_with(&comment, kept.as_ref(), &attached).await {
            Ok(()) => Ok(response),
            Err(StoreError::Duplicate) => match once {
                Some(pending) => self.answer_kept(pending, now).await,
                None => Err(Refusal::Store(StoreError::Conflict)),
            },
            Err(StoreError::Conflict) => Err(self
                .used_meanwhile(&attached)
                .await?
                .unwrap_or_else(|| not_found("ticket", &ticket_id.to_string()))),
            Err(other) => Err(other.into()),
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
}
