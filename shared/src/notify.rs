//! Notifications: every change of a ticket, whoever made it, reaches the people concerned.
//!
//! The notifier reads the TicketsTable stream. A record is turned into a [`Change`] by the
//! Lambda function; [`notices`] decides who hears what (pure); [`Dispatcher::handle_batch`]
//! works out what each record still owes and hands it to the [`Courier`], which sends in order,
//! and reports the first record that must be retried.
//!
//! Exactly once, as far as Telegram allows: each notice is keyed by the stream record's
//! `eventID` and the recipient ([`notice_key`]); a `SENT#` marker is written after the send
//! succeeds and checked before sending, so a redelivered record sends nothing twice. (A crash
//! between the send and the marker can still repeat one message; nothing stricter exists
//! without Telegram's help.)
//!
//! Every notice to a client carries the client's main menu as the change left it (their
//! tickets as the contact's index lists them, with the tickets the batch's records changed as
//! those records have them: the index may lag the write), built by the dialogue's own
//! [`crate::dialogue::main_menu`]: a ticket opened by staff brings the active menu, the last one completed 🧐.
//! That costs one `Query` per notice to a client (none for staff, none when nothing is owed).
//!
//! Every failure ends: 403 and 400 "chat not found" settle a notice for good; any other failure
//! hands its record back to the stream (with the records after it, which keeps each ticket's
//! order) and keeps what those records owe as `FAILED#` items, so that whatever the stream's
//! retries come to, [`Courier::replay`] can deliver it.

mod courier;
#[cfg(test)]
mod delivery_tests;

pub use courier::{reserve_for, Courier, ReplayReport, Settled, Stop, TIME_TO_ANSWER, TIME_TO_KEEP};

use crate::dialogue::TicketSummary;
use crate::domain::{
    Actor, AuthorKind, CallMeRequest, Comment, Person, TelegramUserId, Ticket, TicketCounts, TicketStatus, BOT_SOURCE,
};
use crate::ports::{
    CallMeRequests, Directory, FailedNotices, Messenger, SentNotices, StoreError, TicketStore, UserStore,
};
pub use crate::ports::{FailedNotice, FailureReason, Outgoing};
use crate::texts::{self, fill, Lang};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::time::Duration;

/// Telegram's limit on a message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// What a stream record says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    TicketCreated(Ticket),
    TicketChanged {
        old: Box<Ticket>,
        new: Box<Ticket>,
    },
    CommentAdded(Comment),
    /// A client asked their account manager to call back.
    CallMeRequested(CallMeRequest),
    /// Attachments, journal entries, removals, TTL expiry: nothing to tell anyone.
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The stream's `eventID`: notices are keyed by it.
    pub event_id: String,
    /// The stream's sequence number: reported back when the record must be retried.
    pub sequence: String,
    pub change: Change,
}

/// Someone a notice goes to.
pub type Recipient = Person;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: Recipient,
    pub html: String,
    pub url: Option<String>,
    /// A request to rate this ticket: the message carries the score buttons (not the menu).
    pub rate: Option<u64>,
}

/// `<event id>#<person code>`: the key of one notice, shared by its `SENT#` marker and its kept
/// copy.
pub fn notice_key(event_id: &str, to: &Recipient) -> String {
    format!("{event_id}#{}", to.code())
}

/// The key of a notice: [`notice_key`], and `#rate` for a request to rate (the second message
/// one record owes the same person).
fn key_of(event_id: &str, notice: &Notice) -> String {
    let key = notice_key(event_id, &notice.to);
    if notice.rate.is_some() {
        format!("{key}#rate")
    } else {
        key
    }
}

/// The ticket a change's notices are about (a reply to one comments on it).
fn about_ticket(change: &Change) -> Option<u64> {
    match change {
        Change::TicketCreated(ticket) => Some(ticket.id),
        Change::TicketChanged { new, .. } => Some(new.id),
        Change::CommentAdded(comment) => Some(comment.ticket_id),
        _ => None,
    }
}

/// Names and facts the texts need, read from the directory.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub contact_name: String,
    pub contact_phone: String,
    pub client_name: String,
    pub client_vip: bool,
    pub manager_id: Option<String>,
    pub assignee_name: Option<String>,
    /// For comments: the ticket they belong to.
    pub ticket: Option<Ticket>,
}

#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub service_desk_url: String,
    pub timezone: Tz,
    /// The language of recipients who have none kept (`DEFAULT_LANGUAGE`).
    pub default_lang: Lang,
}

impl NoticeSettings {
    fn ticket_url(&self, id: u64) -> String {
        format!("{}/tickets/{id}", self.service_desk_url)
    }
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `DD.MM.YYYY HH:MM` in the desk's time zone.
pub fn format_date(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string()
}

/// Who hears what about a change (pure), in `lang`: [`Dispatcher::owed`] renders a change in every
/// language and gives each recipient theirs (the notices' order and recipients do not depend on it).
pub fn notices(change: &Change, context: &Context, settings: &NoticeSettings, lang: Lang) -> Vec<Notice> {
    let header = |t: &Ticket| {
        fill(texts::NOTICE_TICKET.get(lang), &[("id", &t.id.to_string()), ("subject", &escape(&t.subject))])
    };
    let link = |t: &Ticket| fill(texts::NOTICE_LINK.get(lang), &[("url", &escape(&settings.ticket_url(t.id)))]);
    let notice = |to: Recipient, t: &Ticket, lines: Vec<String>| {
        let mut html = vec![header(t)];
        html.extend(lines);
        html.push(link(t));
        Notice { to, html: html.join("\n\n"), url: Some(settings.ticket_url(t.id)), rate: None }
    };
    let client_line = |template: &str| {
        fill(template, &[("contact", &escape(&context.contact_name)), ("client", &escape(&context.client_name))])
    };
    let mut out = vec![];
    match change {
        Change::TicketCreated(ticket) => {
            // The bot confirmed its own tickets already.
            if ticket.source != BOT_SOURCE {
                let line = fill(texts::NOTICE_CREATED.get(lang), &[("id", &ticket.id.to_string())]);
                out.push(notice(Recipient::Contact(ticket.contact_id.clone()), ticket, vec![line]));
            }
            if let (true, Some(manager)) = (context.client_vip, &context.manager_id) {
                out.push(notice(
                    Recipient::Employee(manager.clone()),
                    ticket,
                    vec![client_line(texts::NOTICE_VIP_TICKET.get(lang))],
                ));
            }
        }
        Change::TicketChanged { old, new } => {
            let mut lines = vec![];
            if old.status != new.status {
                let status = escape(new.status.name(lang));
                // One completion notice per completion: a completed ticket closed later (done →
                // closed) is named plainly.
                let completed_now = new.status.is_completed() && !old.status.is_completed();
                let template =
                    if completed_now { texts::NOTICE_DONE.get(lang) } else { texts::NOTICE_STATUS.get(lang) };
                lines.push(fill(template, &[("status", &status)]));
            }
            if old.assignee_id != new.assignee_id {
                lines.push(match &context.assignee_name {
                    Some(name) if new.assignee_id.is_some() => {
                        fill(texts::NOTICE_ASSIGNEE.get(lang), &[("name", &escape(name))])
                    }
                    _ => texts::NOTICE_UNASSIGNED.get(lang).to_owned(),
                });
            }
            if old.deadline != new.deadline {
                lines.push(match new.deadline {
                    Some(deadline) => fill(
                        texts::NOTICE_DEADLINE.get(lang),
                        &[("deadline", &format_date(deadline, settings.timezone))],
                    ),
                    None => texts::NOTICE_DEADLINE_CLEARED.get(lang).to_owned(),
                });
            }
            let by_client = new.changed_by == Actor::Client(new.contact_id.clone());
            // What the client did in the bot is not echoed back to them.
            if !lines.is_empty() && !by_client {
                out.push(notice(Recipient::Contact(new.contact_id.clone()), new, lines));
            }
            // Done: the client is asked for a score, in a message of its own (the notice sets
            // the menu; a message has one keyboard).
            if new.status == TicketStatus::Done && old.status != TicketStatus::Done && !by_client {
                let html = format!("{}\n\n{}", header(new), texts::RATING_ASK.get(lang));
                out.push(Notice {
                    to: Recipient::Contact(new.contact_id.clone()),
                    html,
                    url: None,
                    rate: Some(new.id),
                });
            }
            // A low score (given or changed to) reaches the assignee and the client's manager.
            if let Some(rating) = new.rating.filter(|r| r.is_low() && old.rating != new.rating) {
                let line = fill(
                    texts::NOTICE_LOW_RATING.get(lang),
                    &[
                        ("contact", &escape(&context.contact_name)),
                        ("client", &escape(&context.client_name)),
                        ("score", &rating.score.to_string()),
                    ],
                );
                let mut staff: Vec<&String> = new.assignee_id.iter().chain(context.manager_id.iter()).collect();
                staff.dedup();
                for employee in staff {
                    out.push(notice(Recipient::Employee(employee.clone()), new, vec![line.clone()]));
                }
            }
            if by_client && new.status == TicketStatus::Cancelled && old.status != TicketStatus::Cancelled {
                if let Some(assignee) = &new.assignee_id {
                    out.push(notice(
                        Recipient::Employee(assignee.clone()),
                        new,
                        vec![client_line(texts::NOTICE_CLIENT_CANCELLED.get(lang))],
                    ));
                }
            }
        }
        Change::CommentAdded(comment) => {
            let Some(ticket) = &context.ticket else { return out };
            match comment.author_kind {
                // Internal notes are for staff only.
                AuthorKind::Employee if comment.internal => {}
                AuthorKind::Employee => {
                    let line = fill(
                        texts::NOTICE_COMMENT.get(lang),
                        &[("author", &escape(&comment.author_name)), ("text", &escape(&comment.text))],
                    );
                    out.push(notice(Recipient::Contact(ticket.contact_id.clone()), ticket, vec![line]));
                }
                AuthorKind::Client => {
                    if let Some(assignee) = &ticket.assignee_id {
                        let text = if comment.text.is_empty() {
                            texts::FILES_ONLY.get(lang).to_owned()
                        } else {
                            escape(&comment.text)
                        };
                        let line = fill(
                            texts::NOTICE_CLIENT_COMMENT.get(lang),
                            &[
                                ("contact", &escape(&context.contact_name)),
                                ("client", &escape(&context.client_name)),
                                ("text", &text),
                            ],
                        );
                        out.push(notice(Recipient::Employee(assignee.clone()), ticket, vec![line]));
                    }
                }
            }
        }
        Change::CallMeRequested(request) => {
            if let Some(manager) = &context.manager_id {
                let html = fill(
                    texts::NOTICE_CALL_ME.get(lang),
                    &[
                        ("contact", &escape(&context.contact_name)),
                        ("client", &escape(&context.client_name)),
                        ("phone", &escape(&context.contact_phone)),
                    ],
                );
                let _ = request;
                out.push(Notice { to: Recipient::Employee(manager.clone()), html, url: None, rate: None });
            }
        }
        Change::Nothing => {}
    }
    out
}

/// Splits a text into messages of at most [`MAX_MESSAGE_CHARS`] characters, at line breaks
/// where possible (never inside a character).
pub fn split_message(text: &str) -> Vec<String> {
    let mut parts = vec![];
    let mut current = String::new();
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        if count + len > MAX_MESSAGE_CHARS && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            count = 0;
        }
        if len > MAX_MESSAGE_CHARS {
            for c in line.chars() {
                if count == MAX_MESSAGE_CHARS {
                    // Never cut an HTML entity (`&amp;`) in two: Telegram refuses the halves.
                    let carry = match current.rfind('&') {
                        Some(at) if !current[at..].contains(';') && current.len() - at <= 8 => current.split_off(at),
                        _ => String::new(),
                    };
                    parts.push(std::mem::replace(&mut current, carry));
                    count = current.chars().count();
                }
                current.push(c);
                count += 1;
            }
        } else {
            current.push_str(line);
            count += len;
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Tickets as the records of a batch left them, newest image per ticket: the contact's index,
/// read for a client's menu, may not have caught up with them yet.
#[derive(Debug, Clone, Default)]
pub struct SeenTickets(HashMap<u64, Ticket>);

impl SeenTickets {
    /// Remembers the ticket a record carries (records come in order: a later image replaces).
    pub fn note(&mut self, change: &Change) {
        match change {
            Change::TicketCreated(ticket) => self.remember(ticket),
            Change::TicketChanged { new, .. } => self.remember(new),
            Change::CommentAdded(_) | Change::CallMeRequested(_) | Change::Nothing => {}
        }
    }

    fn remember(&mut self, ticket: &Ticket) {
        self.0.insert(ticket.id, ticket.clone());
    }

    /// The contact's ticket counts: `listed` by the contact's index, overridden by what the
    /// records showed and by `current` (a consistent read), which is newer than both.
    pub fn counts(&self, contact_id: &str, listed: &[TicketSummary], current: Option<&Ticket>) -> TicketCounts {
        let mut statuses: HashMap<u64, TicketStatus> = listed.iter().map(|t| (t.id, t.status)).collect();
        for ticket in self.0.values().chain(current) {
            if ticket.contact_id == contact_id {
                statuses.insert(ticket.id, ticket.status);
            } else {
                statuses.remove(&ticket.id);
            }
        }
        TicketCounts::from_statuses(statuses.into_values())
    }
}

/// Decides what each stream record owes and has the [`Courier`] deliver it.
pub struct Dispatcher<S, M> {
    pub courier: Courier<S, M>,
    pub settings: NoticeSettings,
}

impl<S, M> Dispatcher<S, M>
where
    S: Directory
        + TicketStore
        + UserStore
        + CallMeRequests
        + SentNotices
        + FailedNotices
        + crate::ports::MessageTickets,
    M: Messenger,
{
    /// Handles records in order. Returns the sequence number of the first record that must be
    /// retried (everything after it is retried too, which keeps each ticket's order), or `None`.
    /// What that record and the ones after it still owe is kept for replay. `remaining` is the
    /// time left before the function's deadline; `now` is when the batch is handled.
    pub async fn handle_batch(
        &self,
        records: &[Record],
        remaining: impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let mut seen = SeenTickets::default();
        for (at, record) in records.iter().enumerate() {
            seen.note(&record.change);
            let Err(stop) = self.handle_record(record, &seen, &remaining, now).await else { continue };
            tracing::warn!(
                event_id = %record.event_id,
                reason = stop.reason.code(),
                detail = %stop.detail,
                "stream record handed back for a retry"
            );
            self.keep_held_back(&records[at + 1..], record, &stop, seen, &remaining, now).await;
            return Some(record.sequence.clone());
        }
        None
    }

    async fn handle_record(
        &self,
        record: &Record,
        seen: &SeenTickets,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Result<(), Stop> {
        let owed = self.owed(record, seen).await.map_err(Stop::storage)?;
        for (at, notice) in owed.iter().enumerate() {
            if let Err(stop) = self.courier.deliver(notice, remaining, now).await {
                self.courier.keep(&owed[at..], &stop, now).await;
                return Err(stop);
            }
        }
        Ok(())
    }

    /// Keeps what the records after a failed one owe: the stream hands them back with it, and
    /// drops them with it when its retries run out. Best effort, while time is left.
    async fn keep_held_back(
        &self,
        records: &[Record],
        failed: &Record,
        stop: &Stop,
        mut seen: SeenTickets,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) {
        let held =
            Stop { reason: stop.reason, detail: format!("held back behind {}: {}", failed.event_id, stop.detail) };
        for (at, record) in records.iter().enumerate() {
            seen.note(&record.change);
            let kept = if remaining() <= TIME_TO_ANSWER {
                false
            } else {
                match self.owed(record, &seen).await {
                    Ok(owed) => self.courier.keep(&owed, &held, now).await,
                    Err(error) => {
                        tracing::error!(event_id = %record.event_id, %error, "could not work out what a record owes");
                        false
                    }
                }
            };
            if !kept {
                tracing::error!(
                    records = records.len() - at,
                    "records handed back without their notices kept: only the stream and its failure queue hold them"
                );
                return;
            }
        }
    }

    /// What a record still owes: its notices, rendered and addressed, less those sent before and
    /// those to people Telegram cannot reach (not linked, or unreachable). `seen`: the tickets
    /// as the batch's records up to this one left them (for the menus of clients' notices).
    pub async fn owed(&self, record: &Record, seen: &SeenTickets) -> Result<Vec<Outgoing>, StoreError> {
        let store = &self.courier.store;
        let context = self.context(&record.change).await?;
        let call_me = match &record.change {
            Change::CallMeRequested(request) => Some(request.id.clone()),
            _ => None,
        };
        // Rendered in every language; each recipient gets the one kept on their record (read
        // anyway, for whether they can be reached).
        let rendered = Lang::ALL.map(|lang| (lang, notices(&record.change, &context, &self.settings, lang)));
        let mut owed = vec![];
        for (at, notice) in rendered[0].1.iter().enumerate() {
            let key = key_of(&record.event_id, notice);
            if store.already_sent(&key).await? {
                continue;
            }
            let Some(user) = self.telegram_user(&notice.to).await? else {
                continue; // not linked to Telegram: nobody to tell
            };
            let reach = store.reach(user).await?;
            if reach.unreachable {
                continue;
            }
            let lang = reach.language.map_or(self.settings.default_lang, |kept| kept.lang);
            // Every language's rendering names the same recipients in the same order (a unit
            // test holds it); should one ever not, the recipient still hears, in the first.
            let in_their_language = rendered.iter().find(|(l, _)| *l == lang).and_then(|(_, all)| all.get(at));
            let notice = in_their_language.cloned().unwrap_or_else(|| {
                tracing::error!(event = %record.event_id, "a notice with no rendering in {lang:?}: sent as rendered first");
                notice.clone()
            });
            let menu = match &notice.to {
                _ if notice.rate.is_some() => None,
                Recipient::Contact(contact_id) => {
                    let listed = store.contact_tickets(contact_id).await?;
                    Some(seen.counts(contact_id, &listed, context.ticket.as_ref()))
                }
                Recipient::Employee(_) => None,
            };
            owed.push(Outgoing {
                key,
                user,
                html: notice.html,
                url: notice.url,
                sequence: record.sequence.clone(),
                call_me: call_me.clone(),
                menu,
                rate: notice.rate,
                ticket: about_ticket(&record.change),
                lang,
            });
        }
        Ok(owed)
    }

    async fn telegram_user(&self, to: &Recipient) -> Result<Option<TelegramUserId>, StoreError> {
        let store = &self.courier.store;
        Ok(match to {
            Recipient::Contact(id) => store.get_contact(id).await?.filter(|c| c.active).and_then(|c| c.telegram_user),
            Recipient::Employee(id) => store.get_employee(id).await?.filter(|e| e.active).and_then(|e| e.telegram_user),
        })
    }

    async fn context(&self, change: &Change) -> Result<Context, StoreError> {
        let store = &self.courier.store;
        let mut context = Context::default();
        if let Change::CallMeRequested(request) = change {
            if let Some(contact) = store.get_contact(&request.contact_id).await? {
                context.contact_name = contact.name;
                context.contact_phone = contact.phone.international();
            }
            if let Some(client) = store.get_client(&request.client_id).await? {
                context.client_name = client.name;
                context.manager_id = client.manager_id;
            }
            return Ok(context);
        }
        let ticket = match change {
            Change::TicketCreated(t) => Some(t.clone()),
            Change::TicketChanged { new, .. } => Some(Ticket::clone(new)),
            Change::CommentAdded(c) => store.ticket(c.ticket_id).await?,
            Change::CallMeRequested(_) | Change::Nothing => None,
        };
        let Some(ticket) = ticket else { return Ok(context) };
        if let Some(contact) = store.get_contact(&ticket.contact_id).await? {
            context.contact_name = contact.name;
        }
        if let Some(client) = store.get_client(&ticket.client_id).await? {
            context.client_name = client.name;
            context.client_vip = client.vip;
            context.manager_id = client.manager_id;
        }
        if let Some(assignee) = &ticket.assignee_id {
            context.assignee_name = store.get_employee(assignee).await?.map(|e| e.name);
        }
        if matches!(change, Change::CommentAdded(_)) {
            context.ticket = Some(ticket);
        }
        Ok(context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ticket() -> Ticket {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
        Ticket {
            id: 42,
            subject: "Почта <не> работает & всё".into(),
            message: String::new(),
            status: TicketStatus::New,
            source: "email".into(),
            client_id: "k1".into(),
            contact_id: "c1".into(),
            assignee_id: None,
            assignee_name: None,
            deadline: None,
            created_at: at,
            updated_at: at,
            changed_by: Actor::Api,
            version: 1,
            completed_at: None,
            rating: None,
        }
    }

    fn settings(url: &str) -> NoticeSettings {
        NoticeSettings { service_desk_url: url.into(), timezone: chrono_tz::Europe::Moscow, default_lang: Lang::Ru }
    }

    #[test]
    fn several_fields_in_one_write_make_one_escaped_message() {
        let old = ticket();
        let mut new = ticket();
        new.status = TicketStatus::InProgress;
        new.assignee_id = Some("e2".into());
        new.deadline = Some(Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap());
        let context = Context { assignee_name: Some("Пётр <И>".into()), ..Context::default() };
        let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
        let out = notices(&change, &context, &settings("https://desk.example.com"), Lang::Ru);
        assert_eq!(out.len(), 1);
        let html = &out[0].html;
        assert!(html.contains("Почта &lt;не&gt; работает &amp; всё"));
        assert!(html.contains("В работе") && html.contains("Пётр &lt;И&gt;") && html.contains("28.11.2026 18:00"));
        assert!(html.contains("https://desk.example.com/tickets/42"));
        assert_eq!(out[0].to, Recipient::Contact("c1".into()));
    }

    #[test]
    fn the_clients_own_change_is_not_echoed_and_internal_notes_stay_inside() {
        let old = ticket();
        let mut new = ticket();
        new.status = TicketStatus::Cancelled;
        new.changed_by = Actor::Client("c1".into());
        let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
        assert!(
            notices(&change, &Context::default(), &settings("https://d"), Lang::Ru).is_empty(),
            "no assignee: nobody"
        );

        let note = Comment {
            id: "e1".into(),
            ticket_id: 42,
            author_kind: AuthorKind::Employee,
            author_id: "e2".into(),
            author_name: "Пётр".into(),
            text: "между нами".into(),
            internal: true,
            created_at: Utc::now(),
        };
        let context = Context { ticket: Some(ticket()), ..Context::default() };
        assert!(notices(&Change::CommentAdded(note), &context, &settings("https://d"), Lang::Ru).is_empty());
    }

    #[test]
    fn long_texts_split_under_the_limit_without_losing_a_character() {
        let text = format!("{}\n{}", "а".repeat(3000), "б".repeat(5000));
        let parts = split_message(&text);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
        assert_eq!(parts.concat(), text);
        assert_eq!(parts.len(), 3);
    }

    #[test]
    fn a_long_line_is_never_cut_inside_an_entity() {
        for shift in 0..6 {
            let text = format!("{}{}", "x".repeat(MAX_MESSAGE_CHARS - 3 + shift), escape("a & b < c").repeat(300));
            let parts = split_message(&text);
            assert_eq!(parts.concat(), text);
            for part in &parts {
                assert!(part.chars().count() <= MAX_MESSAGE_CHARS);
                let last_amp = part.rfind('&');
                assert!(
                    last_amp.is_none_or(|at| part[at..].contains(';')),
                    "cut inside an entity: …{}",
                    &part[part.len() - 10..]
                );
            }
        }
    }

    #[test]
    fn every_failure_reason_reads_back_from_its_code() {
        let codes: std::collections::HashSet<&str> = FailureReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), FailureReason::ALL.len(), "codes are distinct");
        for reason in FailureReason::ALL {
            assert_eq!(FailureReason::from_code(reason.code()), Some(reason));
        }
        assert_eq!(FailureReason::from_code("gremlins"), None);
    }

    #[test]
    fn a_completion_is_announced_once_and_later_changes_plainly() {
        let change = |from: TicketStatus, to: TicketStatus| {
            let (mut old, mut new) = (ticket(), ticket());
            (old.status, new.status) = (from, to);
            let out = notices(
                &Change::TicketChanged { old: Box::new(old), new: Box::new(new) },
                &Context::default(),
                &settings("https://d"),
                Lang::Ru,
            );
            out[0].html.clone()
        };
        let done = fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")]);
        assert!(change(TicketStatus::InProgress, TicketStatus::Done).contains(&done));
        let closed = change(TicketStatus::Done, TicketStatus::Closed);
        assert!(closed.contains(&fill(texts::NOTICE_STATUS.ru, &[("status", "Закрыт")])), "{closed}");
        assert!(!closed.contains("✅"), "no second completion notice: {closed}");
        let reopened = change(TicketStatus::Closed, TicketStatus::InProgress);
        assert!(reopened.contains(&fill(texts::NOTICE_STATUS.ru, &[("status", "В работе")])));
    }

    #[test]
    fn a_change_is_rendered_alike_in_every_language() {
        let old = ticket();
        let mut new = ticket();
        new.status = TicketStatus::Done;
        new.assignee_id = Some("e2".into());
        let context = Context { assignee_name: Some("Пётр".into()), ..Context::default() };
        let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
        let [ru, en] = Lang::ALL.map(|lang| notices(&change, &context, &settings("https://d"), lang));
        let to = |out: &[Notice]| out.iter().map(|n| (n.to.clone(), n.rate)).collect::<Vec<_>>();
        assert_eq!(to(&ru), to(&en), "the same notices to the same people, in the same order");
        assert!(en[0].html.contains(&fill(texts::NOTICE_DONE.en, &[("status", "Completed")])), "{}", en[0].html);
        assert!(en[0].html.contains(&fill(texts::NOTICE_ASSIGNEE.en, &[("name", "Пётр")])), "{}", en[0].html);
        assert!(en[1].html.ends_with(texts::RATING_ASK.en));
        assert!(ru[0].html.contains(&fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")])));
    }

    #[test]
    fn the_menu_counts_what_the_batch_changed_over_a_lagging_index() {
        let summary = |id, status| TicketSummary { id, subject: String::new(), status };
        // The index still lists #42 as new and #43 (created a moment ago) not at all.
        let listed = vec![summary(42, TicketStatus::New), summary(7, TicketStatus::Done)];
        let mut seen = SeenTickets::default();
        let (old, mut done) = (ticket(), ticket());
        done.status = TicketStatus::Done;
        seen.note(&Change::TicketChanged { old: Box::new(old), new: Box::new(done) });
        assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 0, completed: 2 });
        let mut created = ticket();
        created.id = 43;
        seen.note(&Change::TicketCreated(created.clone()));
        assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 1, completed: 2 });
        // A consistent read is newer than both; another contact's ticket is not counted.
        let mut reopened = ticket();
        reopened.status = TicketStatus::Waiting;
        assert_eq!(seen.counts("c1", &listed, Some(&reopened)), TicketCounts { active: 2, completed: 1 });
        created.contact_id = "c2".into();
        seen.note(&Change::TicketCreated(created));
        assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 0, completed: 2 });
    }

    #[test]
    fn bot_tickets_are_not_announced_again_but_vip_managers_hear() {
        let mut from_bot = ticket();
        from_bot.source = BOT_SOURCE.into();
        let context = Context { client_vip: true, manager_id: Some("e1".into()), ..Context::default() };
        let out = notices(&Change::TicketCreated(from_bot), &context, &settings("http://localhost"), Lang::Ru);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].to, Recipient::Employee("e1".into()));
    }
}
