//! DynamoDB adapter: the only place that knows key formats and attribute names.
//!
//! BotTable (`pk`, `sk`; GSI `ByPhone` on `phone`; TTL on `expires_at`):
//! - `USER#<telegram id>` / `USER`: `link` (JSON), `link_id` (`contact:<id>` | `employee:<id>`),
//!   `state` (JSON), `version`, `chat_id`.
//! - `CONTACT#<id>` / `CONTACT`: `name`, `phone` (E.164), `client_id`, `active`, `tg_user`.
//! - `CLIENT#<id>` / `CLIENT`: `name`, `manager_id`, `vip`.
//! - `EMPLOYEE#<id>` / `EMPLOYEE`: `name`, `phone`, `tg_user`.
//! - `UPD#<update_id>` / `UPD`: the processed-update marker (expires after two days).
//! - `COUNTER#tickets` / `COUNTER`: the last ticket number.
//! - `ALBUM#<media_group_id>` / `ALBUM`: where an album's parts go (expires after a day).
//!
//! TicketsTable (`pk`, `sk`; GSIs `ByContact` and `ByClient` on (`contact_id` | `client_id`,
//! `created_at`); its stream feeds the notifier):
//! - `TICKET#<id>` / `TICKET`: the ticket (only these items carry `contact_id`/`client_id`,
//!   so the indexes hold tickets alone).
//! - `TICKET#<id>` / `COMMENT#<comment id>`: a comment (`author_kind`, `author_id`,
//!   `author_name`, `text` (absent when empty), `internal`, `created_at`).
//! - `TICKET#<id>` / `ATT#<object key>`: an attachment (`name`, `content_type`, `size`, `key`,
//!   `comment_id` when it belongs to a comment).
//! - `TICKET#<id>` / `LOG#<time>#<n>`: a journal entry (`at`, `event`, `by`, `details`).
//!
//! Links are kept on both sides (the user's `link_id`, the contact's or employee's `tg_user`);
//! every write that changes one side changes the other in the same transaction, conditioned on
//! the side it did not read, so the two never disagree.

use crate::dialogue::{
    AlbumTarget, ContactMatch, Effect, EmployeeMatch, NewComment, NewTicket, PhoneMatches, State, StoredFile,
    TicketSummary, UserRecord,
};
use crate::domain::{
    Attachment, AuthorKind, Client, Comment, Contact, Employee, JournalEntry, Link, TelegramUserId, Ticket,
    TicketDetails, TicketStatus,
};
use crate::phone::Phone;
use crate::ports::{BoxError, Commit, Directory, StoreError, TicketReader, UserStore};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, KeysAndAttributes, Put, TransactWriteItem, Update};
pub use aws_sdk_dynamodb::Client as DynamoClient;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

pub use aws_config::SdkConfig;

/// Loads the AWS configuration once per container from the standard chain (region,
/// credentials, and `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_DYNAMODB`/`AWS_ENDPOINT_URL_S3`).
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// How long a processed-update marker is kept. Telegram gives up redelivering after 24 h.
const MARKER_TTL_SECS: i64 = 2 * 24 * 3600;

#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: DynamoClient,
    bot_table: String,
    tickets_table: String,
}

impl DynamoStore {
    pub fn new(client: DynamoClient, bot_table: impl Into<String>, tickets_table: impl Into<String>) -> Self {
        DynamoStore { client, bot_table: bot_table.into(), tickets_table: tickets_table.into() }
    }

    async fn get(&self, table: &str, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    /// Allocates the next ticket number (`UpdateItem ADD`: atomic, outside any transaction).
    async fn allocate_ticket_id(&self) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.bot_table)
            .key("pk", s("COUNTER#tickets"))
            .key("sk", s("COUNTER"))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        output.attributes.as_ref().and_then(|a| get_u64(a, "value")).ok_or_else(|| corrupt("ticket counter"))
    }

    /// A ticket with its comments (oldest first), attachments and journal; one query.
    pub async fn ticket_details(&self, id: u64) -> Result<Option<TicketDetails>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tickets_table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(format!("TICKET#{id}")))
            .consistent_read(true);
        let items = query_all(query).await?;
        let mut ticket = None;
        let (mut comments, mut attachments, mut journal) = (vec![], vec![], vec![]);
        for item in &items {
            let sk = get_s(item, "sk").unwrap_or_default();
            if sk == "TICKET" {
                ticket = Some(ticket_from_item(item)?);
            } else if sk.starts_with("COMMENT#") {
                comments.push(comment_from_item(item)?);
            } else if sk.starts_with("ATT#") {
                attachments.push(Attachment {
                    name: required_s(item, "name")?,
                    content_type: required_s(item, "content_type")?,
                    size: get_u64(item, "size").unwrap_or(0),
                    key: required_s(item, "key")?,
                    comment_id: get_s(item, "comment_id").map(str::to_owned),
                });
            } else if sk.starts_with("LOG#") {
                journal.push(JournalEntry {
                    at: required_s(item, "at")?,
                    event: required_s(item, "event")?,
                    by: required_s(item, "by")?,
                    details: get_s(item, "details").unwrap_or_default().to_owned(),
                });
            }
        }
        comments.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(ticket.map(|ticket| TicketDetails { ticket, comments, attachments, journal }))
    }
}

// ---- Users and the dialogue -----------------------------------------------------------------

fn user_key(user_id: TelegramUserId) -> String {
    format!("USER#{user_id}")
}

fn link_id(link: &Link) -> String {
    match link {
        Link::Contact { contact_id, .. } => format!("contact:{contact_id}"),
        Link::Employee { employee_id, .. } => format!("employee:{employee_id}"),
    }
}

impl UserStore for DynamoStore {
    async fn load_user(&self, user_id: TelegramUserId) -> Result<UserRecord, StoreError> {
        let Some(item) = self.get(&self.bot_table, user_key(user_id), "USER").await? else {
            return Ok(UserRecord::default());
        };
        let link = match get_s(&item, "link") {
            Some(json) => Some(serde_json::from_str(json).map_err(|_| corrupt("user link"))?),
            None => None,
        };
        let state = match get_s(&item, "state") {
            Some(json) => serde_json::from_str(json).unwrap_or_else(|_| {
                // A state written by another version of the dialogue: start over rather than fail forever.
                tracing::warn!("unreadable dialogue state reset");
                State::Idle
            }),
            None => State::Idle,
        };
        let version = get_u64(&item, "version").ok_or_else(|| corrupt("user version"))?;
        Ok(UserRecord { link, state, version })
    }

    async fn find_by_phone(&self, phone: &Phone) -> Result<PhoneMatches, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.bot_table)
            .index_name("ByPhone")
            .key_condition_expression("phone = :p")
            .expression_attribute_values(":p", s(phone.as_str()));
        let items = query_all(query).await?;
        let mut matches = PhoneMatches::default();
        for item in &items {
            match get_s(item, "sk") {
                Some("CONTACT") => matches.contacts.push(ContactMatch {
                    contact_id: required_s(item, "id")?,
                    client_id: required_s(item, "client_id")?,
                    client_name: String::new(),
                    name: required_s(item, "name")?,
                    active: get_bool(item, "active").unwrap_or(false),
                    linked_user: get_u64(item, "tg_user"),
                }),
                Some("EMPLOYEE") => matches.employees.push(EmployeeMatch {
                    employee_id: required_s(item, "id")?,
                    name: required_s(item, "name")?,
                    linked_user: get_u64(item, "tg_user"),
                }),
                _ => {}
            }
        }
        matches.contacts.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
        matches.employees.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
        // Company names are shown only when the user must choose between companies.
        if matches.contacts.iter().filter(|c| c.active).count() > 1 {
            let names = self.client_names(matches.contacts.iter().map(|c| c.client_id.clone())).await?;
            for contact in &mut matches.contacts {
                contact.client_name =
                    names.get(&contact.client_id).cloned().unwrap_or_else(|| contact.client_id.clone());
            }
        }
        Ok(matches)
    }

    async fn commit(&self, commit: &Commit<'_>) -> Result<(), StoreError> {
        let me = commit.user_id;
        let mut items = vec![marker_put(&self.bot_table, commit.update_id, commit.now)];
        let mut link = commit.before.link.clone();
        for effect in commit.effects {
            if self.ticket_effect(effect, commit, &mut items)? {
                continue;
            }
            let (new_link, target_pk, target_previous, is_contact) = match effect {
                Effect::LinkContact(c) => (
                    Link::Contact {
                        contact_id: c.contact_id.clone(),
                        client_id: c.client_id.clone(),
                        name: c.name.clone(),
                    },
                    format!("CONTACT#{}", c.contact_id),
                    c.linked_user,
                    true,
                ),
                Effect::LinkEmployee(e) => (
                    Link::Employee { employee_id: e.employee_id.clone(), name: e.name.clone() },
                    format!("EMPLOYEE#{}", e.employee_id),
                    e.linked_user,
                    false,
                ),
                _ => continue,
            };
            if let Some(old) = link.as_ref().filter(|old| link_id(old) != link_id(&new_link)) {
                items.push(self.unlink_directory_entry(old, me));
            }
            // The target: linked to me, still active (a contact), still linked to whom we read.
            let mut condition = if is_contact { "active = :yes" } else { "attribute_exists(pk)" }.to_owned();
            let mut update = Update::builder()
                .table_name(&self.bot_table)
                .key("pk", s(&target_pk))
                .key("sk", s(target_pk.split('#').next().unwrap_or_default()))
                .update_expression("SET tg_user = :me")
                .expression_attribute_values(":me", n(me));
            if is_contact {
                update = update.expression_attribute_values(":yes", AttributeValue::Bool(true));
            }
            match target_previous {
                Some(previous) => {
                    condition.push_str(" AND tg_user = :previous");
                    update = update.expression_attribute_values(":previous", n(previous));
                    if previous != me {
                        // Another Telegram account held this entry (a new phone, a new account).
                        items.push(self.unlink_user(previous, &link_id(&new_link)));
                    }
                }
                None => condition.push_str(" AND attribute_not_exists(tg_user)"),
            }
            items.push(
                TransactWriteItem::builder()
                    .update(update.condition_expression(condition).build().map_err(build_error)?)
                    .build(),
            );
            link = Some(new_link);
        }
        items.push(self.user_put(commit, link.as_ref())?);
        self.transact(items).await
    }

    async fn next_ticket_id(&self) -> Result<u64, StoreError> {
        self.allocate_ticket_id().await
    }

    async fn ticket(&self, id: u64) -> Result<Option<Ticket>, StoreError> {
        crate::notify::NotifyStore::ticket(self, id).await
    }

    async fn manager(&self, client_id: &str) -> Result<Option<crate::dialogue::Manager>, StoreError> {
        let Some(manager_id) = Directory::get_client(self, client_id).await?.and_then(|c| c.manager_id) else {
            return Ok(None);
        };
        Ok(Directory::get_employee(self, &manager_id)
            .await?
            .map(|e| crate::dialogue::Manager { employee_id: e.id, linked: e.telegram_user.is_some() }))
    }

    async fn album_claim(&self, album: &str) -> Result<Option<AlbumTarget>, StoreError> {
        let Some(item) = self.get(&self.bot_table, format!("ALBUM#{album}"), "ALBUM").await? else { return Ok(None) };
        let target = get_s(&item, "target").ok_or_else(|| corrupt("album target"))?;
        serde_json::from_str(target).map(Some).map_err(|_| corrupt("album target"))
    }
}

impl DynamoStore {
    async fn client_names(&self, ids: impl Iterator<Item = String>) -> Result<HashMap<String, String>, StoreError> {
        let mut keys = KeysAndAttributes::builder();
        let mut unique: Vec<String> = ids.collect();
        unique.sort();
        unique.dedup();
        for id in &unique {
            keys = keys
                .keys(HashMap::from([("pk".to_owned(), s(format!("CLIENT#{id}"))), ("sk".to_owned(), s("CLIENT"))]));
        }
        let output = self
            .client
            .batch_get_item()
            .request_items(&self.bot_table, keys.build().map_err(build_error)?)
            .send()
            .await
            .map_err(unavailable)?;
        let mut names = HashMap::new();
        for item in output.responses.unwrap_or_default().remove(&self.bot_table).unwrap_or_default() {
            if let (Some(id), Some(name)) = (get_s(&item, "id"), get_s(&item, "name")) {
                names.insert(id.to_owned(), name.to_owned());
            }
        }
        Ok(names)
    }

    fn user_put(&self, commit: &Commit<'_>, link: Option<&Link>) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s(user_key(commit.user_id))),
            ("sk".to_owned(), s("USER")),
            ("state".to_owned(), s(serde_json::to_string(commit.state).map_err(|_| corrupt("state"))?)),
            ("version".to_owned(), n(commit.before.version + 1)),
            ("chat_id".to_owned(), n(commit.chat_id)),
            ("updated_at".to_owned(), s(commit.now.to_rfc3339())),
        ]);
        // The record is rewritten whole: an `unreachable` mark goes unless this commit sets it.
        if commit.effects.contains(&Effect::Reachability { blocked: true }) {
            item.insert("unreachable".into(), AttributeValue::Bool(true));
        }
        if let Some(link) = link {
            item.insert("link".into(), s(serde_json::to_string(link).map_err(|_| corrupt("link"))?));
            item.insert("link_id".into(), s(link_id(link)));
        }
        let put = Put::builder().table_name(&self.bot_table).set_item(Some(item));
        let put = if commit.before.version == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :v").expression_attribute_values(":v", n(commit.before.version))
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
    }

    /// Removes my Telegram id from the contact or employee I was linked to.
    fn unlink_directory_entry(&self, old: &Link, me: TelegramUserId) -> TransactWriteItem {
        let (pk, sk) = match old {
            Link::Contact { contact_id, .. } => (format!("CONTACT#{contact_id}"), "CONTACT"),
            Link::Employee { employee_id, .. } => (format!("EMPLOYEE#{employee_id}"), "EMPLOYEE"),
        };
        let update = Update::builder()
            .table_name(&self.bot_table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .update_expression("REMOVE tg_user")
            .condition_expression("tg_user = :me")
            .expression_attribute_values(":me", n(me))
            .build()
            .expect("table, key and update expression are set");
        TransactWriteItem::builder().update(update).build()
    }

    /// Removes the link `link_id` from another Telegram user's record (its version moves on, so
    /// a dialogue step of that user in flight decides again).
    fn unlink_user(&self, user: TelegramUserId, link_id: &str) -> TransactWriteItem {
        let update = Update::builder()
            .table_name(&self.bot_table)
            .key("pk", s(user_key(user)))
            .key("sk", s("USER"))
            .update_expression("REMOVE link, link_id SET version = version + :one")
            .condition_expression("link_id = :link")
            .expression_attribute_values(":link", s(link_id))
            .expression_attribute_values(":one", n(1))
            .build()
            .expect("table, key and update expression are set");
        TransactWriteItem::builder().update(update).build()
    }

    /// Runs a transaction. The first item is the update marker when there is one: its failure
    /// alone means a duplicate; any other failed condition is a concurrent change.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let first_is_marker = items
            .first()
            .and_then(|i| i.put())
            .is_some_and(|p| p.item().get("pk").and_then(|v| v.as_s().ok()).is_some_and(|pk| pk.starts_with("UPD#")));
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(error) => {
                let reasons: Vec<Option<String>> = match error.as_service_error() {
                    Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e)) => {
                        e.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect()
                    }
                    _ => return Err(unavailable(error)),
                };
                let failed = |i: usize| reasons.get(i).and_then(|c| c.as_deref()) == Some("ConditionalCheckFailed");
                if first_is_marker && failed(0) {
                    Err(StoreError::Duplicate)
                } else if (0..reasons.len()).any(failed)
                    || reasons.iter().any(|c| c.as_deref() == Some("TransactionConflict"))
                {
                    Err(StoreError::Conflict)
                } else {
                    Err(unavailable(error))
                }
            }
        }
    }
}

fn marker_put(table: &str, update_id: u64, now: DateTime<Utc>) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .item("pk", s(format!("UPD#{update_id}")))
        .item("sk", s("UPD"))
        .item("expires_at", n(now.timestamp() + MARKER_TTL_SECS))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}

// ---- Tickets ----------------------------------------------------------------------------------

impl TicketReader for DynamoStore {
    async fn contact_tickets(&self, contact_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tickets_table)
            .index_name("ByContact")
            .key_condition_expression("contact_id = :c")
            .expression_attribute_values(":c", s(contact_id))
            .projection_expression("id, subject, #s")
            .expression_attribute_names("#s", "status")
            .scan_index_forward(false);
        let tickets = query_all(query)
            .await?
            .iter()
            .filter_map(|item| {
                let status = get_s(item, "status").and_then(TicketStatus::from_code)?;
                let subject = get_s(item, "subject").unwrap_or_default().to_owned();
                Some(TicketSummary { id: get_u64(item, "id")?, subject, status })
            })
            .collect();
        Ok(tickets)
    }
}

impl DynamoStore {
    /// Adds the writes of a ticket effect to the transaction; `false` for other effects.
    fn ticket_effect(
        &self,
        effect: &Effect,
        commit: &Commit<'_>,
        items: &mut Vec<TransactWriteItem>,
    ) -> Result<bool, StoreError> {
        let now = commit.now;
        match effect {
            Effect::CreateTicket(ticket) => {
                let by = format!("client:{}", ticket.contact_id);
                items.push(self.new_ticket_put(ticket, &by, now)?);
                for file in distinct(&ticket.files) {
                    items.push(self.attachment_put(ticket.id, None, file, now)?);
                }
                items.push(self.journal_put(ticket.id, now, commit.update_id, "created", &by, "source: messenger")?);
            }
            Effect::AddComment(comment) => {
                items.push(self.client_may_comment(comment)?);
                items.push(self.comment_put(comment, now)?);
                for file in distinct(&comment.files) {
                    items.push(self.attachment_put(comment.ticket_id, Some(&comment.comment_id), file, now)?);
                }
            }
            Effect::AddFiles { ticket_id, comment_id, files } => {
                for file in distinct(files) {
                    items.push(self.attachment_put(*ticket_id, comment_id.as_deref(), file, now)?);
                }
            }
            Effect::SetSubject { ticket_id, placeholder, subject, message } => {
                let update = Update::builder()
                    .table_name(&self.tickets_table)
                    .key("pk", s(format!("TICKET#{ticket_id}")))
                    .key("sk", s("TICKET"))
                    .update_expression("SET subject = :s, message = :m")
                    .condition_expression("subject = :placeholder")
                    .expression_attribute_values(":s", s(subject))
                    .expression_attribute_values(":m", s(message))
                    .expression_attribute_values(":placeholder", s(placeholder))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().update(update).build());
            }
            Effect::SetCommentText { ticket_id, comment_id, text } => {
                let update = Update::builder()
                    .table_name(&self.tickets_table)
                    .key("pk", s(format!("TICKET#{ticket_id}")))
                    .key("sk", s(format!("COMMENT#{comment_id}")))
                    .update_expression("SET #t = if_not_exists(#t, :t)")
                    .expression_attribute_names("#t", "text")
                    .expression_attribute_values(":t", s(text))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().update(update).build());
            }
            Effect::ClaimAlbum { album, target, first } => {
                let target = serde_json::to_string(target).map_err(|_| corrupt("album target"))?;
                let put = Put::builder()
                    .table_name(&self.bot_table)
                    .item("pk", s(format!("ALBUM#{album}")))
                    .item("sk", s("ALBUM"))
                    .item("target", s(target))
                    .item("expires_at", n(now.timestamp() + 24 * 3600));
                let put = if *first { put.condition_expression("attribute_not_exists(pk)") } else { put };
                items.push(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build());
            }
            Effect::CancelTicket { ticket_id, contact_id } => {
                let by = format!("client:{contact_id}");
                let update = Update::builder()
                    .table_name(&self.tickets_table)
                    .key("pk", s(format!("TICKET#{ticket_id}")))
                    .key("sk", s("TICKET"))
                    .update_expression(
                        "SET #s = :cancelled, changed_by = :by, updated_at = :now, version = version + :one",
                    )
                    // Theirs and still active: a second tap, or a stale button, cancels nothing.
                    .condition_expression("contact_id = :c AND #s IN (:s1, :s2, :s3)")
                    .expression_attribute_names("#s", "status")
                    .expression_attribute_values(":cancelled", s(TicketStatus::Cancelled.code()))
                    .expression_attribute_values(":by", s(&by))
                    .expression_attribute_values(":now", s(now.to_rfc3339()))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":c", s(contact_id))
                    .expression_attribute_values(":s1", s(TicketStatus::New.code()))
                    .expression_attribute_values(":s2", s(TicketStatus::InProgress.code()))
                    .expression_attribute_values(":s3", s(TicketStatus::Waiting.code()))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().update(update).build());
                items.push(self.journal_put(
                    *ticket_id,
                    now,
                    commit.update_id,
                    "cancelled",
                    &by,
                    "cancelled by the client in the Telegram bot",
                )?);
            }
            Effect::RequestCallMe { id, contact_id, client_id } => {
                let put = Put::builder()
                    .table_name(&self.tickets_table)
                    .item("pk", s(format!("CALLBACK#{id}")))
                    .item("sk", s("CALLBACK"))
                    .item("id", s(id))
                    .item("requester", s(contact_id))
                    .item("requester_client", s(client_id))
                    .item("requested_at", s(now.to_rfc3339()))
                    .item("state", s("new"))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            // Carried by the user's record itself (see `user_put`).
            Effect::Reachability { .. } => {}
            Effect::LinkContact(_) | Effect::LinkEmployee(_) => return Ok(false),
        }
        Ok(true)
    }

    fn new_ticket_put(
        &self,
        ticket: &NewTicket,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let stored = Ticket {
            id: ticket.id,
            subject: ticket.subject.clone(),
            message: ticket.message.clone(),
            status: TicketStatus::New,
            source: "messenger".into(),
            client_id: ticket.client_id.clone(),
            contact_id: ticket.contact_id.clone(),
            assignee_id: None,
            assignee_name: None,
            deadline: None,
            created_at: now,
            updated_at: now,
            changed_by: by.to_owned(),
            version: 1,
        };
        let put = Put::builder()
            .table_name(&self.tickets_table)
            .set_item(Some(ticket_item(&stored)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The ticket is still the contact's, and still active (or completed, for a question about
    /// a completed ticket), when the comment lands.
    fn client_may_comment(&self, comment: &NewComment) -> Result<TransactWriteItem, StoreError> {
        let statuses = if comment.on_completed {
            [TicketStatus::Done, TicketStatus::Closed, TicketStatus::Closed]
        } else {
            [TicketStatus::New, TicketStatus::InProgress, TicketStatus::Waiting]
        };
        let check = ConditionCheck::builder()
            .table_name(&self.tickets_table)
            .key("pk", s(format!("TICKET#{}", comment.ticket_id)))
            .key("sk", s("TICKET"))
            .condition_expression("contact_id = :c AND #s IN (:s1, :s2, :s3)")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":c", s(&comment.contact_id))
            .expression_attribute_values(":s1", s(statuses[0].code()))
            .expression_attribute_values(":s2", s(statuses[1].code()))
            .expression_attribute_values(":s3", s(statuses[2].code()))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    fn comment_put(&self, comment: &NewComment, now: DateTime<Utc>) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.tickets_table)
            .item("pk", s(format!("TICKET#{}", comment.ticket_id)))
            .item("sk", s(format!("COMMENT#{}", comment.comment_id)))
            .item("id", s(&comment.comment_id))
            .item("ticket_id", n(comment.ticket_id))
            .item("author_kind", s("client"))
            .item("author_id", s(&comment.contact_id))
            .item("author_name", s(&comment.author_name))
            .item("internal", AttributeValue::Bool(false))
            .item("created_at", s(now.to_rfc3339()));
        if !comment.text.is_empty() {
            put = put.item("text", s(&comment.text));
        }
        Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
    }

    fn attachment_put(
        &self,
        ticket_id: u64,
        comment_id: Option<&str>,
        file: &StoredFile,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.tickets_table)
            .item("pk", s(format!("TICKET#{ticket_id}")))
            .item("sk", s(format!("ATT#{}", file.key)))
            .item("name", s(&file.name))
            .item("content_type", s(&file.content_type))
            .item("size", n(file.size))
            .item("key", s(&file.key))
            .item("created_at", s(now.to_rfc3339()));
        if let Some(comment_id) = comment_id {
            put = put.item("comment_id", s(comment_id));
        }
        Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
    }

    fn journal_put(
        &self,
        ticket_id: u64,
        at: DateTime<Utc>,
        seq: u64,
        event: &str,
        by: &str,
        details: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let put = Put::builder()
            .table_name(&self.tickets_table)
            .item("pk", s(format!("TICKET#{ticket_id}")))
            .item("sk", s(format!("LOG#{at_text}#{seq}")))
            .item("at", s(&at_text))
            .item("event", s(event))
            .item("by", s(by))
            .item("details", s(details))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

fn parse_time(item: &Item, name: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(&required_s(item, name)?)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not a time")))
}

pub(crate) fn ticket_from_item(item: &Item) -> Result<Ticket, StoreError> {
    Ok(Ticket {
        id: get_u64(item, "id").ok_or_else(|| corrupt("ticket id"))?,
        subject: required_s(item, "subject")?,
        message: get_s(item, "message").unwrap_or_default().to_owned(),
        status: get_s(item, "status").and_then(TicketStatus::from_code).ok_or_else(|| corrupt("ticket status"))?,
        source: required_s(item, "source")?,
        client_id: required_s(item, "client_id")?,
        contact_id: required_s(item, "contact_id")?,
        assignee_id: get_s(item, "assignee_id").map(str::to_owned),
        assignee_name: get_s(item, "assignee_name").map(str::to_owned),
        deadline: match get_s(item, "deadline") {
            Some(_) => Some(parse_time(item, "deadline")?),
            None => None,
        },
        created_at: parse_time(item, "created_at")?,
        updated_at: parse_time(item, "updated_at")?,
        changed_by: get_s(item, "changed_by").unwrap_or_default().to_owned(),
        version: get_u64(item, "version").unwrap_or(0),
    })
}

fn comment_from_item(item: &Item) -> Result<Comment, StoreError> {
    Ok(Comment {
        id: required_s(item, "id")?,
        ticket_id: get_u64(item, "ticket_id").ok_or_else(|| corrupt("comment ticket"))?,
        author_kind: match get_s(item, "author_kind") {
            Some("employee") => AuthorKind::Employee,
            _ => AuthorKind::Client,
        },
        author_id: required_s(item, "author_id")?,
        author_name: get_s(item, "author_name").unwrap_or_default().to_owned(),
        text: get_s(item, "text").unwrap_or_default().to_owned(),
        internal: get_bool(item, "internal").unwrap_or(false),
        created_at: parse_time(item, "created_at")?,
    })
}

fn ticket_item(ticket: &Ticket) -> Item {
    let mut item: Item = HashMap::from([
        ("pk".to_owned(), s(format!("TICKET#{}", ticket.id))),
        ("sk".to_owned(), s("TICKET")),
        ("id".to_owned(), n(ticket.id)),
        ("subject".to_owned(), s(&ticket.subject)),
        ("message".to_owned(), s(&ticket.message)),
        ("status".to_owned(), s(ticket.status.code())),
        ("source".to_owned(), s(&ticket.source)),
        ("client_id".to_owned(), s(&ticket.client_id)),
        ("contact_id".to_owned(), s(&ticket.contact_id)),
        ("created_at".to_owned(), s(ticket.created_at.to_rfc3339())),
        ("updated_at".to_owned(), s(ticket.updated_at.to_rfc3339())),
        ("changed_by".to_owned(), s(&ticket.changed_by)),
        ("version".to_owned(), n(ticket.version)),
    ]);
    if let Some(assignee) = &ticket.assignee_id {
        item.insert("assignee_id".into(), s(assignee));
    }
    if let Some(name) = &ticket.assignee_name {
        item.insert("assignee_name".into(), s(name));
    }
    if let Some(deadline) = ticket.deadline {
        item.insert("deadline".into(), s(deadline.to_rfc3339()));
    }
    item
}

// ---- The directory ------------------------------------------------------------------------

impl Directory for DynamoStore {
    async fn get_client(&self, id: &str) -> Result<Option<Client>, StoreError> {
        let Some(item) = self.get(&self.bot_table, format!("CLIENT#{id}"), "CLIENT").await? else { return Ok(None) };
        Ok(Some(Client {
            id: required_s(&item, "id")?,
            name: required_s(&item, "name")?,
            manager_id: get_s(&item, "manager_id").map(str::to_owned),
            vip: get_bool(&item, "vip").unwrap_or(false),
        }))
    }

    async fn put_client(&self, client: &Client) -> Result<(), StoreError> {
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s(format!("CLIENT#{}", client.id))),
            ("sk".to_owned(), s("CLIENT")),
            ("id".to_owned(), s(&client.id)),
            ("name".to_owned(), s(&client.name)),
            ("vip".to_owned(), AttributeValue::Bool(client.vip)),
        ]);
        if let Some(manager) = &client.manager_id {
            item.insert("manager_id".into(), s(manager));
        }
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn get_contact(&self, id: &str) -> Result<Option<Contact>, StoreError> {
        let Some(item) = self.get(&self.bot_table, format!("CONTACT#{id}"), "CONTACT").await? else { return Ok(None) };
        Ok(Some(Contact {
            id: required_s(&item, "id")?,
            name: required_s(&item, "name")?,
            phone: serde_json::from_value(serde_json::Value::String(required_s(&item, "phone")?))
                .map_err(|_| corrupt("contact phone"))?,
            client_id: required_s(&item, "client_id")?,
            active: get_bool(&item, "active").unwrap_or(false),
            telegram_user: get_u64(&item, "tg_user"),
        }))
    }

    async fn put_contact(&self, contact: &Contact, now: DateTime<Utc>) -> Result<Contact, StoreError> {
        let mut stored = contact.clone();
        let link = format!("contact:{}", contact.id);
        let mut items = vec![];
        if let Some(user) = contact.telegram_user {
            if contact.active {
                // Keep the user's copy of the link (name, company) in step with the directory.
                let new_link = Link::Contact {
                    contact_id: contact.id.clone(),
                    client_id: contact.client_id.clone(),
                    name: contact.name.clone(),
                };
                items.push(self.relink_user(user, &link, &new_link)?);
            } else {
                // A deactivated contact counts as unregistered: the link goes on both sides.
                items.push(self.unlink_user(user, &link));
                stored.telegram_user = None;
            }
        }
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s(format!("CONTACT#{}", contact.id))),
            ("sk".to_owned(), s("CONTACT")),
            ("id".to_owned(), s(&contact.id)),
            ("name".to_owned(), s(&contact.name)),
            ("phone".to_owned(), s(contact.phone.as_str())),
            ("client_id".to_owned(), s(&contact.client_id)),
            ("active".to_owned(), AttributeValue::Bool(contact.active)),
            ("updated_at".to_owned(), s(now.to_rfc3339())),
        ]);
        if let Some(user) = stored.telegram_user {
            item.insert("tg_user".into(), n(user));
        }
        items.push(self.directory_put(item, contact.telegram_user)?);
        self.transact(items).await?;
        Ok(stored)
    }

    async fn get_employee(&self, id: &str) -> Result<Option<Employee>, StoreError> {
        let Some(item) = self.get(&self.bot_table, format!("EMPLOYEE#{id}"), "EMPLOYEE").await? else {
            return Ok(None);
        };
        Ok(Some(Employee {
            id: required_s(&item, "id")?,
            name: required_s(&item, "name")?,
            phone: match get_s(&item, "phone") {
                Some(p) => Some(
                    serde_json::from_value(serde_json::Value::String(p.to_owned())).map_err(|_| corrupt("phone"))?,
                ),
                None => None,
            },
            telegram_user: get_u64(&item, "tg_user"),
        }))
    }

    async fn put_employee(&self, employee: &Employee) -> Result<Employee, StoreError> {
        let mut items = vec![];
        if let Some(user) = employee.telegram_user {
            let link = format!("employee:{}", employee.id);
            let new_link = Link::Employee { employee_id: employee.id.clone(), name: employee.name.clone() };
            items.push(self.relink_user(user, &link, &new_link)?);
        }
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s(format!("EMPLOYEE#{}", employee.id))),
            ("sk".to_owned(), s("EMPLOYEE")),
            ("id".to_owned(), s(&employee.id)),
            ("name".to_owned(), s(&employee.name)),
        ]);
        if let Some(phone) = &employee.phone {
            item.insert("phone".into(), s(phone.as_str()));
        }
        if let Some(user) = employee.telegram_user {
            item.insert("tg_user".into(), n(user));
        }
        items.push(self.directory_put(item, employee.telegram_user)?);
        self.transact(items).await?;
        Ok(employee.clone())
    }
}

impl DynamoStore {
    /// Puts a contact or employee item on condition that its Telegram link is still the one read.
    fn directory_put(
        &self,
        item: Item,
        linked_as_read: Option<TelegramUserId>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.bot_table).set_item(Some(item));
        let put = match linked_as_read {
            Some(user) => put.condition_expression("tg_user = :u").expression_attribute_values(":u", n(user)),
            None => put.condition_expression("attribute_not_exists(tg_user)"),
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
    }

    fn relink_user(&self, user: TelegramUserId, link_id: &str, link: &Link) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.bot_table)
            .key("pk", s(user_key(user)))
            .key("sk", s("USER"))
            .update_expression("SET link = :json, version = version + :one")
            .condition_expression("link_id = :link")
            .expression_attribute_values(":json", s(serde_json::to_string(link).map_err(|_| corrupt("link"))?))
            .expression_attribute_values(":link", s(link_id))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

/// Files with distinct object keys: the same photo twice in one album is one object, and a
/// transaction may not write one item twice (DynamoDB would refuse it every time).
fn distinct(files: &[StoredFile]) -> impl Iterator<Item = &StoredFile> {
    let mut seen = std::collections::HashSet::new();
    files.iter().filter(move |f| seen.insert(f.key.as_str()))
}

// ---- Reading whole result sets ------------------------------------------------------------

/// Every item a query finds, page after page.
async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    let mut items = vec![];
    let mut start = None;
    loop {
        let output = query.clone().set_exclusive_start_key(start).send().await.map_err(unavailable)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// Every item of the table whose sort key is `sk`, page after page.
async fn scan_all(
    scan: aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder,
    sk: &str,
) -> Result<Vec<Item>, StoreError> {
    let scan = scan.filter_expression("sk = :sk").expression_attribute_values(":sk", s(sk));
    let mut items = vec![];
    let mut start = None;
    loop {
        let output = scan.clone().set_exclusive_start_key(start).send().await.map_err(unavailable)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

// ---- Attribute helpers ----------------------------------------------------------------------

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn required_s(item: &Item, name: &str) -> Result<String, StoreError> {
    get_s(item, name).map(str::to_owned).ok_or_else(|| StoreError::Corrupt(format!("attribute {name} missing")))
}

fn get_u64(item: &Item, name: &str) -> Option<u64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

fn get_bool(item: &Item, name: &str) -> Option<bool> {
    item.get(name).and_then(|v| v.as_bool().ok()).copied()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError::Unavailable(Box::new(error) as BoxError)
}

fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(Box::new(error))
}

fn is_condition_failure<E, R>(error: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

// ---- Tickets, as the staff API changes them -------------------------------------------------

impl crate::ports::TicketStore for DynamoStore {
    async fn call_me_requests(&self) -> Result<Vec<crate::domain::CallMeRequest>, StoreError> {
        DynamoStore::call_me_requests(self).await
    }

    async fn allocate_id(&self) -> Result<u64, StoreError> {
        self.allocate_ticket_id().await
    }

    async fn create_ticket(&self, ticket: &Ticket, journal: &[JournalEntry]) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(&self.tickets_table)
            .set_item(Some(ticket_item(ticket)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        for (n, entry) in journal.iter().enumerate() {
            items.push(self.journal_entry_put(ticket.id, entry, n)?);
        }
        self.transact(items).await
    }

    async fn ticket_details(&self, id: u64) -> Result<Option<TicketDetails>, StoreError> {
        DynamoStore::ticket_details(self, id).await
    }

    async fn list_tickets(&self, filter: &crate::ports::TicketFilter) -> Result<Vec<Ticket>, StoreError> {
        let index = match (&filter.contact_id, &filter.client_id) {
            (Some(contact), _) => Some(("ByContact", "contact_id", contact)),
            (None, Some(client)) => Some(("ByClient", "client_id", client)),
            (None, None) => None,
        };
        let items = match index {
            Some((index, attribute, value)) => {
                let query = self
                    .client
                    .query()
                    .table_name(&self.tickets_table)
                    .index_name(index)
                    .key_condition_expression(format!("{attribute} = :v"))
                    .expression_attribute_values(":v", s(value))
                    .scan_index_forward(false);
                query_all(query).await?
            }
            // No filter: every ticket (a scan, for the occasional full export).
            None => scan_all(self.client.scan().table_name(&self.tickets_table), "TICKET").await?,
        };
        let mut tickets = items.iter().map(ticket_from_item).collect::<Result<Vec<_>, _>>()?;
        if let Some(client) = &filter.client_id {
            tickets.retain(|t| &t.client_id == client);
        }
        if let Some(status) = filter.status {
            tickets.retain(|t| t.status == status);
        }
        tickets.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(tickets)
    }

    async fn update_ticket(&self, ticket: &Ticket, journal: &[JournalEntry]) -> Result<(), StoreError> {
        let mut update = Update::builder()
            .table_name(&self.tickets_table)
            .key("pk", s(format!("TICKET#{}", ticket.id)))
            .key("sk", s("TICKET"))
            .condition_expression("version = :read")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":read", n(ticket.version - 1))
            .expression_attribute_values(":version", n(ticket.version))
            .expression_attribute_values(":status", s(ticket.status.code()))
            .expression_attribute_values(":updated", s(ticket.updated_at.to_rfc3339()))
            .expression_attribute_values(":by", s(&ticket.changed_by));
        let mut set = vec!["#s = :status", "version = :version", "updated_at = :updated", "changed_by = :by"];
        let mut remove = vec![];
        match &ticket.assignee_id {
            Some(assignee) => {
                set.push("assignee_id = :assignee");
                set.push("assignee_name = :assignee_name");
                update = update
                    .expression_attribute_values(":assignee", s(assignee))
                    .expression_attribute_values(":assignee_name", s(ticket.assignee_name.clone().unwrap_or_default()));
            }
            None => remove.extend(["assignee_id", "assignee_name"]),
        }
        match ticket.deadline {
            Some(deadline) => {
                set.push("deadline = :deadline");
                update = update.expression_attribute_values(":deadline", s(deadline.to_rfc3339()));
            }
            None => remove.push("deadline"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let update = update.update_expression(expression).build().map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        for (n, entry) in journal.iter().enumerate() {
            items.push(self.journal_entry_put(ticket.id, entry, n)?);
        }
        self.transact(items).await
    }

    async fn add_comment(&self, comment: &Comment) -> Result<(), StoreError> {
        let mut put = Put::builder()
            .table_name(&self.tickets_table)
            .item("pk", s(format!("TICKET#{}", comment.ticket_id)))
            .item("sk", s(format!("COMMENT#{}", comment.id)))
            .item("id", s(&comment.id))
            .item("ticket_id", n(comment.ticket_id))
            .item("author_kind", s(if comment.author_kind == AuthorKind::Employee { "employee" } else { "client" }))
            .item("author_id", s(&comment.author_id))
            .item("author_name", s(&comment.author_name))
            .item("internal", AttributeValue::Bool(comment.internal))
            .item("created_at", s(comment.created_at.to_rfc3339()))
            .condition_expression("attribute_not_exists(pk)");
        if !comment.text.is_empty() {
            put = put.item("text", s(&comment.text));
        }
        // The ticket must exist: a comment never lands on nothing.
        let check = ConditionCheck::builder()
            .table_name(&self.tickets_table)
            .key("pk", s(format!("TICKET#{}", comment.ticket_id)))
            .key("sk", s("TICKET"))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(build_error)?;
        self.transact(vec![
            TransactWriteItem::builder().condition_check(check).build(),
            TransactWriteItem::builder().put(put.build().map_err(build_error)?).build(),
        ])
        .await
    }
}

impl DynamoStore {
    fn journal_entry_put(
        &self,
        ticket_id: u64,
        entry: &JournalEntry,
        n: usize,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.tickets_table)
            .item("pk", s(format!("TICKET#{ticket_id}")))
            .item("sk", s(format!("LOG#{}#{n}", entry.at)))
            .item("at", s(&entry.at))
            .item("event", s(&entry.event))
            .item("by", s(&entry.by))
            .item("details", s(&entry.details))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

// ---- What the notifier needs -------------------------------------------------------------

/// How long a sent-notification marker is kept: longer than a stream record can live (24 h).
const SENT_TTL_SECS: i64 = 2 * 24 * 3600;

impl crate::notify::NotifyStore for DynamoStore {
    async fn ticket(&self, id: u64) -> Result<Option<Ticket>, StoreError> {
        match self.get(&self.tickets_table, format!("TICKET#{id}"), "TICKET").await? {
            Some(item) => Ok(Some(ticket_from_item(&item)?)),
            None => Ok(None),
        }
    }

    async fn already_sent(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(&self.bot_table, format!("SENT#{key}"), "SENT").await?.is_some())
    }

    async fn mark_sent(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.bot_table)
            .item("pk", s(format!("SENT#{key}")))
            .item("sk", s("SENT"))
            .item("expires_at", n(now.timestamp() + SENT_TTL_SECS))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn mark_call_me_notified(&self, id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.tickets_table)
            .key("pk", s(format!("CALLBACK#{id}")))
            .key("sk", s("CALLBACK"))
            .update_expression("SET #s = :notified")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":notified", s("manager_notified"))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn is_unreachable(&self, user: u64) -> Result<bool, StoreError> {
        let item = self.get(&self.bot_table, user_key(user), "USER").await?;
        Ok(item.as_ref().and_then(|i| get_bool(i, "unreachable")).unwrap_or(false))
    }

    async fn mark_unreachable(&self, user: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.bot_table)
            .key("pk", s(user_key(user)))
            .key("sk", s("USER"))
            .update_expression("SET unreachable = :yes")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        match result {
            Err(error) if is_condition_failure(&error) => Ok(()), // no record: nothing to mark
            other => other.map(drop).map_err(unavailable),
        }
    }
}

impl DynamoStore {
    /// Every call-back request, newest first (a scan: staff read these now and then).
    pub async fn call_me_requests(&self) -> Result<Vec<crate::domain::CallMeRequest>, StoreError> {
        let mut requests = vec![];
        for item in scan_all(self.client.scan().table_name(&self.tickets_table), "CALLBACK").await? {
            requests.push(crate::domain::CallMeRequest {
                id: required_s(&item, "id")?,
                contact_id: required_s(&item, "requester")?,
                client_id: required_s(&item, "requester_client")?,
                created_at: parse_time(&item, "requested_at")?,
                state: required_s(&item, "state")?,
            });
        }
        requests.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        Ok(requests)
    }
}
