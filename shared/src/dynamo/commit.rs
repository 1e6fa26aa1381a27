//! The transaction of one update: the update's marker, the writes of the dialogue's effects, and
//! the user's record, all conditional, committed at once or not at all.

use super::attr::*;
use super::codec;
use super::write::*;
use super::{keys, DynamoStore};
use crate::dialogue::{Effect, NewComment, NewRating, StoredFile};
use crate::domain::{Actor, JournalEntry, Link, TelegramUserId, TicketStatus, BOT_SOURCE, RATING_OPEN_DAYS};
use crate::ports::{update_journal_tag, Commit, StoreError};
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};

/// How long a processed-update marker (and a count of failed attempts) is kept. Telegram gives
/// up redelivering after 24 h.
pub(super) const MARKER_TTL_SECS: i64 = 2 * 24 * 3600;
/// How long an album's claim is kept: its parts arrive within seconds.
const ALBUM_TTL_SECS: i64 = 24 * 3600;

impl DynamoStore {
    /// The items of `commit`, the marker first (see [`DynamoStore::transact`]).
    pub(super) fn commit_items(&self, commit: &Commit<'_>) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut items = vec![self.marker(commit)?];
        let mut link = commit.before.link.clone();
        for effect in commit.effects {
            if *effect == Effect::Unlink {
                // My entry lets go of me, on condition that it still holds me.
                if let Some(old) = link.take() {
                    items.push(self.unlink_directory_entry(&old, commit.user_id)?);
                }
                continue;
            }
            match effect.link() {
                Some((new, held_by)) => {
                    self.link_items(commit.user_id, link.as_ref(), &new, held_by, &mut items)?;
                    link = Some(new);
                }
                None => self.ticket_effect(effect, commit, &mut items)?,
            }
        }
        let record = codec::user::Written {
            user_id: commit.user_id,
            chat_id: commit.chat_id,
            link: link.as_ref(),
            state: commit.state,
            version: commit.before.version + 1,
            // The record is rewritten whole: an `unreachable` mark goes unless this commit sets it.
            unreachable: commit.effects.contains(&Effect::Reachability { blocked: true }),
            language: commit.language(),
            now: commit.now,
        };
        let put = put(&self.bot_table, codec::user::to_item(&record)?);
        items.push(tx_put(if commit.before.version == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :v").expression_attribute_values(":v", n(commit.before.version))
        })?);
        Ok(items)
    }

    fn marker(&self, commit: &Commit<'_>) -> Result<TransactWriteItem, StoreError> {
        let mut item = keyed(keys::update_marker(commit.update_id));
        item.insert("expires_at".into(), n(commit.now.timestamp() + MARKER_TTL_SECS));
        if let Some(response) = &commit.response {
            item.insert("response".into(), s(response));
        }
        tx_put(put(&self.bot_table, item).condition_expression("attribute_not_exists(pk)"))
    }

    /// Links `me` to the directory entry of `new`: my old entry lets go of me, the new entry
    /// takes me on condition that it is still linked as read (and, a contact, still active), and
    /// another account that held it loses the link.
    fn link_items(
        &self,
        me: TelegramUserId,
        old: Option<&Link>,
        new: &Link,
        held_by: Option<TelegramUserId>,
        items: &mut Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let person = new.person().code();
        if let Some(old) = old.filter(|old| old.person().code() != person) {
            items.push(self.unlink_directory_entry(old, me)?);
        }
        let (key, is_contact) = match new {
            Link::Contact { contact_id, .. } => (keys::contact(contact_id), true),
            Link::Employee { employee_id, .. } => (keys::employee(employee_id), false),
        };
        let mut update = update(&self.bot_table, key)
            .update_expression("SET tg_user = :me")
            .expression_attribute_values(":me", n(me));
        update = update.expression_attribute_values(":yes", b(true));
        // An active contact; an employee there and not deactivated (older items have no flag).
        let mut condition = if is_contact {
            "active = :yes".to_owned()
        } else {
            "attribute_exists(pk) AND (attribute_not_exists(active) OR active = :yes)".to_owned()
        };
        match held_by {
            Some(previous) => {
                condition.push_str(" AND tg_user = :previous");
                update = update.expression_attribute_values(":previous", n(previous));
                if previous != me {
                    // Another Telegram account held this entry (a new phone, a new account).
                    items.push(self.unlink_user(previous, &person)?);
                }
            }
            None => condition.push_str(" AND attribute_not_exists(tg_user)"),
        }
        items.push(tx_update(update.condition_expression(condition))?);
        Ok(())
    }

    /// Removes my Telegram id from the contact or employee I was linked to.
    fn unlink_directory_entry(&self, old: &Link, me: TelegramUserId) -> Result<TransactWriteItem, StoreError> {
        let key = match old {
            Link::Contact { contact_id, .. } => keys::contact(contact_id),
            Link::Employee { employee_id, .. } => keys::employee(employee_id),
        };
        tx_update(
            update(&self.bot_table, key)
                .update_expression("REMOVE tg_user")
                .condition_expression("tg_user = :me")
                .expression_attribute_values(":me", n(me)),
        )
    }

    /// Removes the link to `person` from a Telegram user's record (its version moves on, so a
    /// dialogue step of that user in flight decides again).
    pub(super) fn unlink_user(&self, user: TelegramUserId, person: &str) -> Result<TransactWriteItem, StoreError> {
        tx_update(
            update(&self.bot_table, keys::user(user))
                .update_expression("REMOVE link, link_id SET version = version + :one")
                .condition_expression("link_id = :link")
                .expression_attribute_values(":link", s(person))
                .expression_attribute_values(":one", n(1)),
        )
    }

    /// Rewrites the copy of a link a Telegram user's record keeps (name, company).
    pub(super) fn relink_user(&self, user: TelegramUserId, link: &Link) -> Result<TransactWriteItem, StoreError> {
        tx_update(
            update(&self.bot_table, keys::user(user))
                .update_expression("SET link = :json, version = version + :one")
                .condition_expression("link_id = :link")
                .expression_attribute_values(":json", s(codec::user::link_json(link)))
                .expression_attribute_values(":link", s(link.person().code()))
                .expression_attribute_values(":one", n(1)),
        )
    }

    /// Adds the writes of a ticket, comment, album or call-me effect.
    fn ticket_effect(
        &self,
        effect: &Effect,
        commit: &Commit<'_>,
        items: &mut Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let now = commit.now;
        let table = &self.tickets_table;
        match effect {
            Effect::CreateTicket(ticket) => {
                let stored = ticket.record(now);
                let created =
                    JournalEntry::new(now, "created", stored.changed_by.clone(), format!("source: {BOT_SOURCE}"));
                items.push(tx_put(
                    put(table, codec::ticket::to_item(&stored)).condition_expression("attribute_not_exists(pk)"),
                )?);
                self.attachment_items(ticket.id, None, &ticket.files, now, items)?;
                items.push(tx_put(put(
                    table,
                    codec::journal::to_item(ticket.id, &created, &update_journal_tag(commit.update_id)),
                ))?);
            }
            Effect::AddComment(comment) => {
                items.push(self.client_may_comment(comment)?);
                items.push(tx_put(put(table, codec::comment::to_item(&comment.record(now))))?);
                self.attachment_items(comment.ticket_id, Some(&comment.comment_id), &comment.files, now, items)?;
            }
            Effect::AddStaffComment(comment) => {
                // Staff comment on any ticket there is, whatever its status (as the staff API).
                let ticket = check(table, keys::ticket(comment.ticket_id)).condition_expression("attribute_exists(pk)");
                items.push(tx_check(ticket)?);
                items.push(tx_put(put(table, codec::comment::to_item(&comment.record(now))))?);
                self.attachment_items(comment.ticket_id, Some(&comment.comment_id), &comment.files, now, items)?;
            }
            Effect::AddFiles { ticket_id, comment_id, files } => {
                // Files go only to the sender's own ticket (or their own comment on it).
                let comment_id = comment_id.as_deref();
                if !commit.checks_owner_of(*ticket_id, comment_id) {
                    let (key, condition, owner) = match comment_id {
                        Some(id) => (keys::comment(*ticket_id, id), "author_id = :c", commit.author_id()),
                        None => (keys::ticket(*ticket_id), "contact_id = :c", commit.contact_id()),
                    };
                    let owner = s(owner.unwrap_or_default());
                    items.push(tx_check(
                        check(table, key).condition_expression(condition).expression_attribute_values(":c", owner),
                    )?);
                }
                self.attachment_items(*ticket_id, comment_id, files, now, items)?;
            }
            Effect::SetSubject { ticket_id, placeholder, subject, message } => {
                items.push(tx_update(
                    update(table, keys::ticket(*ticket_id))
                        .update_expression("SET subject = :s, message = :m")
                        .condition_expression("subject = :placeholder AND contact_id = :c")
                        .expression_attribute_values(":s", s(subject))
                        .expression_attribute_values(":m", s(message))
                        .expression_attribute_values(":placeholder", s(placeholder))
                        .expression_attribute_values(":c", s(commit.contact_id().unwrap_or_default())),
                )?);
            }
            Effect::SetCommentText { ticket_id, comment_id, text } => {
                items.push(tx_update(
                    update(table, keys::comment(*ticket_id, comment_id))
                        .update_expression("SET #t = if_not_exists(#t, :t)")
                        // The sender's own comment, and one that is there (never a partial item).
                        .condition_expression("attribute_exists(pk) AND author_id = :c")
                        .expression_attribute_names("#t", "text")
                        .expression_attribute_values(":t", s(text))
                        .expression_attribute_values(":c", s(commit.author_id().unwrap_or_default())),
                )?);
            }
            Effect::ClaimAlbum { album, target, first } => {
                let mut item = keyed(keys::album(commit.user_id, album));
                item.insert("target".into(), s(serde_json::to_string(target).map_err(|_| corrupt("album target"))?));
                item.insert("expires_at".into(), n(now.timestamp() + ALBUM_TTL_SECS));
                let put = put(&self.bot_table, item);
                items.push(tx_put(if *first { put.condition_expression("attribute_not_exists(pk)") } else { put })?);
            }
            Effect::CancelTicket { ticket_id, contact_id } => {
                let by = Actor::Client(contact_id.clone());
                let (active, values) = status_in(TicketStatus::is_active);
                let mut update = update(table, keys::ticket(*ticket_id))
                    .update_expression(
                        "SET #s = :cancelled, changed_by = :by, updated_at = :now, version = version + :one",
                    )
                    // Theirs and still active: a second tap, or a stale button, cancels nothing.
                    .condition_expression(format!("contact_id = :c AND {active}"))
                    .expression_attribute_names("#s", "status")
                    .expression_attribute_values(":cancelled", s(TicketStatus::Cancelled.code()))
                    .expression_attribute_values(":by", s(by.code()))
                    .expression_attribute_values(":now", time(now))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":c", s(contact_id));
                for (name, value) in values {
                    update = update.expression_attribute_values(name, value);
                }
                items.push(tx_update(update)?);
                let entry = JournalEntry::new(now, "cancelled", by, "cancelled by the client in the Telegram bot");
                items.push(tx_put(put(
                    table,
                    codec::journal::to_item(*ticket_id, &entry, &update_journal_tag(commit.update_id)),
                ))?);
            }
            Effect::RateTicket(rating) => self.rating_items(rating, commit, items)?,
            Effect::RequestCallMe { id, contact_id, client_id } => {
                let request = crate::domain::CallMeRequest {
                    id: id.clone(),
                    contact_id: contact_id.clone(),
                    client_id: client_id.clone(),
                    created_at: now,
                    state: crate::domain::CallMeState::New,
                    done: None,
                };
                items.push(tx_put(put(table, codec::call_me::to_item(&request)))?);
            }
            Effect::RememberMessages { ticket_id, messages } => {
                let expires_at = now.timestamp() + crate::ports::MESSAGE_EDITS_KEPT_HOURS * 3600;
                let unique: std::collections::BTreeSet<_> = messages.iter().collect();
                for message_id in unique {
                    let item = codec::message_ticket::to_item(commit.chat_id, *message_id, *ticket_id, expires_at);
                    items.push(tx_put(put(&self.bot_table, item))?);
                }
            }
            Effect::Corrected { ticket_id, message_id, comment_id, contact_id } => {
                let entry = crate::dialogue::correction_entry(contact_id, *message_id, comment_id, now);
                items.push(tx_put(put(
                    table,
                    codec::journal::to_item(*ticket_id, &entry, &update_journal_tag(commit.update_id)),
                ))?);
            }
            // Carried by the user's record itself.
            Effect::Reachability { .. } | Effect::SetLanguage(_) => {}
            // Written with the link, above.
            Effect::Unlink => {}
            // Written by `link_items`.
            Effect::LinkContact(_) | Effect::LinkEmployee(_) => {}
        }
        Ok(())
    }

    /// The score on the ticket (the contact's, completed less than [`RATING_OPEN_DAYS`] ago, and
    /// rated as read), a journal entry, and the rating under its month (the previous one's
    /// removed if it was another month).
    fn rating_items(
        &self,
        rating: &NewRating,
        commit: &Commit<'_>,
        items: &mut Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let (table, now) = (&self.tickets_table, commit.now);
        let (completed, values) = status_in(TicketStatus::is_completed);
        let as_read =
            if rating.previous.is_some() { "rating_at = :previous" } else { "attribute_not_exists(rating_at)" };
        let mut update = update(table, keys::ticket(rating.ticket_id))
            .update_expression("SET rating_score = :score, rating_at = :now")
            .condition_expression(format!(
                "contact_id = :c AND {completed} AND completed_at > :open_since AND {as_read}"
            ))
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":score", n(rating.score))
            .expression_attribute_values(":now", time(now))
            .expression_attribute_values(":c", s(&rating.contact_id))
            .expression_attribute_values(":open_since", time(now - chrono::Duration::days(RATING_OPEN_DAYS)));
        if let Some(previous) = rating.previous {
            update = update.expression_attribute_values(":previous", time(previous.at));
        }
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        items.push(tx_update(update)?);
        let entry = rating.journal_entry(now);
        items.push(tx_put(put(
            table,
            codec::journal::to_item(rating.ticket_id, &entry, &update_journal_tag(commit.update_id)),
        ))?);
        let work = rating.work(now);
        if let Some(previous) = rating.previous.filter(|p| codec::rating::month(p.at) != codec::rating::month(now)) {
            items.push(tx_delete(table, keys::rating(&codec::rating::month(previous.at), rating.ticket_id))?);
        }
        items.push(tx_put(put(table, codec::rating::to_item(&work)))?);
        Ok(())
    }

    /// The ticket is still the contact's, and still active (or completed, for a question about
    /// a completed ticket), when the comment lands.
    fn client_may_comment(&self, comment: &NewComment) -> Result<TransactWriteItem, StoreError> {
        let on_completed = comment.on_completed;
        let (statuses, values) =
            status_in(|status| if on_completed { status.is_completed() } else { status.is_active() });
        let mut check = check(&self.tickets_table, keys::ticket(comment.ticket_id))
            .condition_expression(format!("contact_id = :c AND {statuses}"))
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":c", s(&comment.contact_id));
        for (name, value) in values {
            check = check.expression_attribute_values(name, value);
        }
        tx_check(check)
    }

    /// Files with distinct object keys: the same photo twice in one album is one object, and a
    /// transaction may not write one item twice (DynamoDB would refuse it every time).
    fn attachment_items(
        &self,
        ticket_id: u64,
        comment_id: Option<&str>,
        files: &[StoredFile],
        now: DateTime<Utc>,
        items: &mut Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let mut seen = std::collections::HashSet::new();
        for file in files.iter().filter(|f| seen.insert(f.key.as_str())) {
            let attachment = file.attachment(comment_id);
            items.push(tx_put(put(&self.tickets_table, codec::attachment::to_item(ticket_id, &attachment, now)))?);
        }
        Ok(())
    }
}
