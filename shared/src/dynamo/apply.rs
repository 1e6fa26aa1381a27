//! A [`plan`] applied to DynamoDB: each write becomes the item (or, for a rating that moves to
//! another month, the two items) of one `TransactWriteItems`, its condition an expression.
//! What is written and on what condition is the plan's; this file only spells it in DynamoDB's
//! terms, with the keys of [`keys`] and the attributes of [`codec`].

use super::attr::*;
use super::codec;
use super::write::*;
use super::{keys, DynamoStore};
use crate::domain::{Person, TelegramUserId, Ticket, TicketStatus, RATING_OPEN_DAYS};
use crate::plan::{UserWrite, Write};
use crate::ports::StoreError;
use aws_sdk_dynamodb::types::TransactWriteItem;

/// How long a processed-update marker (and a count of failed attempts) is kept. Telegram gives
/// up redelivering after 24 h.
pub(super) const MARKER_TTL_SECS: i64 = 2 * 24 * 3600;
/// How long an album's claim is kept: its parts arrive within seconds.
const ALBUM_TTL_SECS: i64 = 24 * 3600;

impl DynamoStore {
    /// Applies `plan` as one transaction (see [`DynamoStore::transact`]).
    pub(super) async fn apply(&self, plan: Vec<Write>) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(plan.len());
        for write in &plan {
            self.items_of(write, &mut items)?;
        }
        self.transact(items, crate::plan::first_means_duplicate(&plan)).await
    }

    /// The items of one write.
    fn items_of(&self, write: &Write, items: &mut Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let (bot, tickets) = (&self.bot_table, &self.tickets_table);
        let item = match write {
            Write::Marker { update_id, response, at } => {
                let mut item = keyed(keys::update_marker(*update_id));
                item.insert("expires_at".into(), n(at.timestamp() + MARKER_TTL_SECS));
                if let Some(response) = response {
                    item.insert("response".into(), s(response));
                }
                tx_put(put(bot, item).condition_expression("attribute_not_exists(pk)"))?
            }
            Write::KeepResult(result) => tx_put(
                put(bot, codec::kept_result::to_item(result))
                    .condition_expression("attribute_not_exists(pk) OR expires_at <= :now")
                    .expression_attribute_values(":now", n(result.created_at.timestamp())),
            )?,
            Write::PutUser(record) => self.user_item(record)?,
            Write::UnlinkUser { user, person } => tx_update(
                update(bot, keys::user(*user))
                    .update_expression("REMOVE link, link_id SET version = version + :one")
                    .condition_expression("link_id = :link")
                    .expression_attribute_values(":link", s(person.code()))
                    .expression_attribute_values(":one", n(1)),
            )?,
            Write::RelinkUser { user, link } => tx_update(
                update(bot, keys::user(*user))
                    .update_expression("SET link = :json, version = version + :one")
                    .condition_expression("link_id = :link")
                    .expression_attribute_values(":json", s(codec::user::link_json(link)))
                    .expression_attribute_values(":link", s(link.person().code()))
                    .expression_attribute_values(":one", n(1)),
            )?,
            Write::LinkEntry { person, me, held_by } => self.link_entry(person, *me, *held_by)?,
            Write::UnlinkEntry { person, me } => tx_update(
                update(bot, person_key(person))
                    .update_expression("REMOVE tg_user")
                    .condition_expression("tg_user = :me")
                    .expression_attribute_values(":me", n(*me)),
            )?,
            Write::PutContact { contact, linked_as_read, at } => {
                directory_put(bot, codec::directory::contact_to_item(contact, *at), *linked_as_read)?
            }
            Write::PutEmployee { employee, linked_as_read } => {
                directory_put(bot, codec::directory::employee_to_item(employee), *linked_as_read)?
            }
            Write::PutTicket { ticket, files } => {
                let mut item = codec::ticket::to_item(ticket);
                codec::put_files(&mut item, files)?;
                tx_put(put(tickets, item).condition_expression("attribute_not_exists(pk)"))?
            }
            Write::UpdateTicket(ticket) => self.ticket_update(ticket)?,
            Write::CancelTicket { ticket_id, contact_id, at } => {
                let by = crate::domain::Actor::Client(contact_id.clone());
                let (active, values) = status_in(TicketStatus::is_active);
                let mut update = update(tickets, keys::ticket(*ticket_id))
                    .update_expression(
                        "SET #s = :cancelled, changed_by = :by, updated_at = :now, version = version + :one",
                    )
                    // Theirs and still active: a second tap, or a stale button, cancels nothing.
                    .condition_expression(format!("contact_id = :c AND {active}"))
                    .expression_attribute_names("#s", "status")
                    .expression_attribute_values(":cancelled", s(TicketStatus::Cancelled.code()))
                    .expression_attribute_values(":by", s(by.code()))
                    .expression_attribute_values(":now", time(*at))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":c", s(contact_id));
                for (name, value) in values {
                    update = update.expression_attribute_values(name, value);
                }
                tx_update(update)?
            }
            Write::SetSubject { ticket_id, placeholder, subject, message, contact_id } => tx_update(
                update(tickets, keys::ticket(*ticket_id))
                    .update_expression("SET subject = :s, message = :m")
                    .condition_expression("subject = :placeholder AND contact_id = :c")
                    .expression_attribute_values(":s", s(subject))
                    .expression_attribute_values(":m", s(message))
                    .expression_attribute_values(":placeholder", s(placeholder))
                    .expression_attribute_values(":c", s(contact_id)),
            )?,
            Write::RateTicket { rating, at } => {
                let (completed, values) = status_in(TicketStatus::is_completed);
                let as_read =
                    if rating.previous.is_some() { "rating_at = :previous" } else { "attribute_not_exists(rating_at)" };
                let told = if rating.tells_low_of.is_some() { ", low_score_told = :told" } else { "" };
                let mut update = update(tickets, keys::ticket(rating.ticket_id))
                    .update_expression(format!("SET rating_score = :score, rating_at = :now{told}"))
                    .condition_expression(format!(
                        "contact_id = :c AND {completed} AND completed_at > :open_since AND {as_read}"
                    ))
                    .expression_attribute_names("#s", "status")
                    .expression_attribute_values(":score", n(rating.score))
                    .expression_attribute_values(":now", time(*at))
                    .expression_attribute_values(":c", s(&rating.contact_id))
                    .expression_attribute_values(":open_since", time(*at - chrono::Duration::days(RATING_OPEN_DAYS)));
                if let Some(previous) = rating.previous {
                    update = update.expression_attribute_values(":previous", time(previous.at));
                }
                if let Some(completion) = rating.tells_low_of {
                    update = update.expression_attribute_values(":told", time(completion));
                }
                for (name, value) in values {
                    update = update.expression_attribute_values(name, value);
                }
                tx_update(update)?
            }
            Write::PutRating { work, previous } => {
                // Ratings are kept under their month: a score changed in another month leaves
                // the previous month's.
                let month = codec::rating::month(work.rating.at);
                if let Some(previous) = previous.map(codec::rating::month).filter(|p| *p != month) {
                    items.push(tx_delete(tickets, keys::rating(&previous, work.ticket_id))?);
                }
                tx_put(put(tickets, codec::rating::to_item(work)))?
            }
            Write::TicketExists(ticket_id) => {
                tx_check(check(tickets, keys::ticket(*ticket_id)).condition_expression("attribute_exists(pk)"))?
            }
            Write::MayComment { ticket_id, contact_id, on_completed } => {
                let on_completed = *on_completed;
                let (statuses, values) =
                    status_in(|status| if on_completed { status.is_completed() } else { status.is_active() });
                let mut check = check(tickets, keys::ticket(*ticket_id))
                    .condition_expression(format!("contact_id = :c AND {statuses}"))
                    .expression_attribute_names("#s", "status")
                    .expression_attribute_values(":c", s(contact_id));
                for (name, value) in values {
                    check = check.expression_attribute_values(name, value);
                }
                tx_check(check)?
            }
            Write::OwnedBy { ticket_id, comment_id, owner } => {
                let (key, condition) = match comment_id {
                    Some(id) => (keys::comment(*ticket_id, id), "author_id = :c"),
                    None => (keys::ticket(*ticket_id), "contact_id = :c"),
                };
                tx_check(
                    check(tickets, key).condition_expression(condition).expression_attribute_values(":c", s(owner)),
                )?
            }
            Write::PutComment { comment, if_absent, files } => {
                let put = put(tickets, codec::comment::to_item_with(comment, files)?);
                tx_put(if *if_absent { put.condition_expression("attribute_not_exists(pk)") } else { put })?
            }
            Write::SetCommentText { ticket_id, comment_id, text, author_id } => tx_update(
                update(tickets, keys::comment(*ticket_id, comment_id))
                    .update_expression("SET #t = if_not_exists(#t, :t)")
                    // The sender's own comment, and one that is there (never a partial item).
                    .condition_expression("attribute_exists(pk) AND author_id = :c")
                    .expression_attribute_names("#t", "text")
                    .expression_attribute_values(":t", s(text))
                    .expression_attribute_values(":c", s(author_id)),
            )?,
            Write::PutAttachment { ticket_id, attachment, at, part } => {
                tx_put(put(tickets, codec::attachment::to_item(*ticket_id, attachment, *at, part.as_ref())?))?
            }
            Write::PutJournal { ticket_id, entry, tag } => {
                tx_put(put(tickets, codec::journal::to_item(*ticket_id, entry, tag)))?
            }
            Write::PutAlbum { user, album, target, if_absent, at } => {
                let mut item = keyed(keys::album(*user, album));
                item.insert("target".into(), s(serde_json::to_string(target).map_err(|_| corrupt("album target"))?));
                item.insert("expires_at".into(), n(at.timestamp() + ALBUM_TTL_SECS));
                let put = put(bot, item);
                tx_put(if *if_absent { put.condition_expression("attribute_not_exists(pk)") } else { put })?
            }
            Write::PutCallMe(request) => tx_put(put(tickets, codec::call_me::to_item(request)))?,
            Write::PutMessageTicket { chat_id, message_id, ticket_id, expires_at } => {
                tx_put(put(bot, codec::message_ticket::to_item(*chat_id, *message_id, *ticket_id, *expires_at)))?
            }
            Write::UseUpload { id, by } => tx_update(
                update(bot, keys::upload(id))
                    .update_expression("SET used_by = :by")
                    .condition_expression("attribute_exists(pk) AND attribute_not_exists(used_by)")
                    .expression_attribute_values(":by", s(by)),
            )?,
            Write::NoteCorrection { chat_id, message_id, comment_id, at } => tx_update(
                update(bot, keys::message_ticket(*chat_id, *message_id))
                    .update_expression("SET correction = :c, corrected_at = :at")
                    .condition_expression("attribute_exists(pk)")
                    .expression_attribute_values(":c", s(comment_id))
                    .expression_attribute_values(":at", time(*at)),
            )?,
            Write::ReviseComment { ticket_id, comment_id, text, author_id } => tx_update(
                update(tickets, keys::comment(*ticket_id, comment_id))
                    .update_expression("SET #t = :t")
                    .condition_expression("attribute_exists(pk) AND author_id = :c")
                    .expression_attribute_names("#t", "text")
                    .expression_attribute_values(":t", s(text))
                    .expression_attribute_values(":c", s(author_id)),
            )?,
        };
        items.push(item);
        Ok(())
    }

    /// The user's record, whole, on condition of the version read (absent when 0).
    fn user_item(&self, record: &UserWrite) -> Result<TransactWriteItem, StoreError> {
        let written = codec::user::Written {
            user_id: record.user,
            chat_id: record.chat_id,
            link: record.link.as_ref(),
            state: &record.state,
            version: record.version,
            unreachable: record.unreachable,
            language: record.language,
            now: record.at,
        };
        let put = put(&self.bot_table, codec::user::to_item(&written)?);
        tx_put(if record.read_version == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :v").expression_attribute_values(":v", n(record.read_version))
        })
    }

    /// The directory entry takes `me` on condition that it is still linked as read and
    /// available (a contact active; an employee there and not deactivated).
    fn link_entry(
        &self,
        person: &Person,
        me: TelegramUserId,
        held_by: Option<TelegramUserId>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = update(&self.bot_table, person_key(person))
            .update_expression("SET tg_user = :me")
            .expression_attribute_values(":me", n(me))
            .expression_attribute_values(":yes", b(true));
        // Older employee items have no `active` flag.
        let mut condition = match person {
            Person::Contact(_) => "active = :yes".to_owned(),
            Person::Employee(_) => {
                "attribute_exists(pk) AND (attribute_not_exists(active) OR active = :yes)".to_owned()
            }
        };
        match held_by {
            Some(previous) => {
                condition.push_str(" AND tg_user = :previous");
                update = update.expression_attribute_values(":previous", n(previous));
            }
            None => condition.push_str(" AND attribute_not_exists(tg_user)"),
        }
        tx_update(update.condition_expression(condition))
    }

    /// A staff change: the changeable fields, on condition of the version read.
    fn ticket_update(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let mut update = update(&self.tickets_table, keys::ticket(ticket.id))
            .condition_expression("version = :read")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":read", n(ticket.version - 1))
            .expression_attribute_values(":version", n(ticket.version))
            .expression_attribute_values(":status", s(ticket.status.code()))
            .expression_attribute_values(":updated", time(ticket.updated_at))
            .expression_attribute_values(":by", s(ticket.changed_by.code()));
        let mut set = vec!["#s = :status", "version = :version", "updated_at = :updated", "changed_by = :by"];
        let mut remove = vec![];
        match &ticket.assignee_id {
            Some(assignee) => {
                set.extend(["assignee_id = :assignee", "assignee_name = :assignee_name"]);
                update = update
                    .expression_attribute_values(":assignee", s(assignee))
                    .expression_attribute_values(":assignee_name", s(ticket.assignee_name.clone().unwrap_or_default()));
            }
            None => remove.extend(["assignee_id", "assignee_name"]),
        }
        match ticket.deadline {
            Some(deadline) => {
                set.push("deadline = :deadline");
                update = update.expression_attribute_values(":deadline", time(deadline));
            }
            None => remove.push("deadline"),
        }
        match ticket.completed_at {
            Some(at) => {
                set.push("completed_at = :completed");
                update = update.expression_attribute_values(":completed", time(at));
            }
            None => remove.push("completed_at"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        tx_update(update.update_expression(expression))
    }
}

/// The directory entry of a linked person.
fn person_key(person: &Person) -> keys::Key {
    match person {
        Person::Contact(id) => keys::contact(id),
        Person::Employee(id) => keys::employee(id),
    }
}

/// Puts a contact or employee item on condition that its Telegram link is still the one read.
fn directory_put(
    table: &str,
    item: Item,
    linked_as_read: Option<TelegramUserId>,
) -> Result<TransactWriteItem, StoreError> {
    let put = put(table, item);
    tx_put(match linked_as_read {
        Some(user) => put.condition_expression("tg_user = :u").expression_attribute_values(":u", n(user)),
        None => put.condition_expression("attribute_not_exists(tg_user)"),
    })
}
