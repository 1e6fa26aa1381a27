//! The notifier's stream handler: what each record of a batch still owes, delivered in order by
//! the [`Courier`], and what a failed record and the ones after it owe kept for replay.

use super::notices::{about_ticket, key_of};
use super::{
    notices, Change, Context, Courier, FailureReason, NoticeSettings, Outgoing, Recipient, Record, Stop, TIME_TO_ANSWER,
};
use crate::dialogue::TicketSummary;
use crate::domain::{Client, Contact, Employee, TelegramUserId, Ticket, TicketCounts, TicketStatus};
use crate::ports::{
    CallMeRequests, Directory, FailedNotices, Messenger, Reach, SentNotices, StoreError, TicketStore, UserStore,
};
use crate::texts::Lang;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

/// Tickets as the records of a batch left them, newest image per ticket: the contact's index,
/// read for a client's menu, may not have caught up with them yet.
#[derive(Debug, Clone, Default)]
pub struct SeenTickets(HashMap<u64, Ticket>);

impl SeenTickets {
    /// Remembers the ticket a record carries (records come in order: a later image replaces).
    pub fn note(&mut self, change: &Change) {
        match change {
            Change::TicketCreated { ticket, .. } => self.remember(ticket),
            Change::TicketChanged { new, .. } => self.remember(new),
            Change::CommentAdded { .. } | Change::FilesAdded { .. } | Change::CallMeRequested(_) | Change::Nothing => {}
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

/// The ticket as a change left it: the record's image, or (for a comment) the consistent read.
fn ticket_now<'a>(change: &'a Change, context: &'a Context) -> Option<&'a Ticket> {
    match change {
        Change::TicketCreated { ticket, .. } => Some(ticket),
        Change::TicketChanged { new, .. } => Some(new),
        _ => context.ticket.as_ref(),
    }
}

/// A record's notices, rendered in every language, with the change (a later album part's
/// resolved) and the context they were rendered with.
struct Rendered {
    change: Change,
    context: Context,
    all: [(Lang, Vec<super::Notice>); Lang::ALL.len()],
}

/// What a batch's notices read, read once for the batch: the directory entries its changes
/// name (contacts and clients in a batch read each), the employees it names (once each), the
/// sent markers of its notices and its recipients' user records (a batch read each), each
/// contact's tickets for the menu (once each).
#[derive(Default)]
struct Batch {
    contacts: Mutex<HashMap<String, Option<Contact>>>,
    clients: Mutex<HashMap<String, Option<Client>>>,
    employees: Mutex<HashMap<String, Option<Employee>>>,
    listed: Mutex<HashMap<String, Vec<TicketSummary>>>,
    sent: HashSet<String>,
    reaches: HashMap<TelegramUserId, Reach>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `cache[key]`, read with `read` the first time (the lock is not held across the read).
async fn cached<T: Clone, F: std::future::Future<Output = Result<T, StoreError>>>(
    cache: &Mutex<HashMap<String, T>>,
    key: &str,
    read: impl FnOnce() -> F,
) -> Result<T, StoreError> {
    if let Some(known) = lock(cache).get(key) {
        return Ok(known.clone());
    }
    let value = read().await?;
    lock(cache).insert(key.to_owned(), value.clone());
    Ok(value)
}

impl Batch {
    /// The contacts and clients the records' tickets and call-back requests name.
    async fn prefetch(&mut self, store: &impl Directory, records: &[Record]) -> Result<(), StoreError> {
        let mut contacts = HashSet::new();
        let mut clients = HashSet::new();
        for record in records {
            let ticket = match &record.change {
                Change::TicketCreated { ticket, .. } => Some(ticket),
                Change::TicketChanged { new, .. } => Some(&**new),
                _ => None,
            };
            if let Some(ticket) = ticket {
                contacts.insert(ticket.contact_id.clone());
                clients.insert(ticket.client_id.clone());
            }
            if let Change::CallMeRequested(request) = &record.change {
                contacts.insert(request.contact_id.clone());
                clients.insert(request.client_id.clone());
            }
        }
        let (contacts, clients): (Vec<String>, Vec<String>) =
            (contacts.into_iter().collect(), clients.into_iter().collect());
        let mut found = store.get_entries(&contacts, &clients).await?;
        *lock(&self.contacts) = contacts.into_iter().map(|id| (id.clone(), found.contacts.remove(&id))).collect();
        *lock(&self.clients) = clients.into_iter().map(|id| (id.clone(), found.clients.remove(&id))).collect();
        Ok(())
    }

    async fn contact(&self, store: &impl Directory, id: &str) -> Result<Option<Contact>, StoreError> {
        cached(&self.contacts, id, || store.get_contact(id)).await
    }

    async fn client(&self, store: &impl Directory, id: &str) -> Result<Option<Client>, StoreError> {
        cached(&self.clients, id, || store.get_client(id)).await
    }

    async fn employee(&self, store: &impl Directory, id: &str) -> Result<Option<Employee>, StoreError> {
        cached(&self.employees, id, || store.get_employee(id)).await
    }

    /// The contact's tickets, as the contact's index lists them.
    async fn listed(&self, store: &impl TicketStore, contact_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        cached(&self.listed, contact_id, || store.contact_tickets(contact_id)).await
    }

    /// The Telegram account a recipient is linked to, if they are active (read by
    /// [`Batch::recipients`]).
    fn user_of(&self, to: &Recipient) -> Option<TelegramUserId> {
        match to {
            Recipient::Contact(id) => lock(&self.contacts).get(id)?.as_ref().filter(|c| c.active)?.telegram_user,
            Recipient::Employee(id) => lock(&self.employees).get(id)?.as_ref().filter(|e| e.active)?.telegram_user,
        }
    }

    /// Reads what addressing `ready`'s notices needs: the recipients (those not read yet), the
    /// sent markers and the recipients' user records.
    async fn recipients<S: Directory + crate::ports::Deliveries>(
        &mut self,
        store: &S,
        ready: &[(&Record, &Rendered)],
    ) -> Result<(), StoreError> {
        let notices =
            || ready.iter().flat_map(|(record, rendered)| rendered.all[0].1.iter().map(move |n| (*record, n)));
        let keys: Vec<String> = notices().map(|(record, notice)| key_of(&record.event_id, notice)).collect();
        let mut contacts = vec![];
        let mut employees = vec![];
        for (_, notice) in notices() {
            match &notice.to {
                Recipient::Contact(id) if !lock(&self.contacts).contains_key(id) => contacts.push(id.clone()),
                Recipient::Employee(id) => employees.push(id.clone()),
                Recipient::Contact(_) => {}
            }
        }
        contacts.sort();
        contacts.dedup();
        let mut found = store.get_contacts(&contacts).await?;
        lock(&self.contacts).extend(contacts.into_iter().map(|id| {
            let contact = found.remove(&id);
            (id, contact)
        }));
        employees.sort();
        employees.dedup();
        for id in &employees {
            self.employee(store, id).await?;
        }
        let mut users: Vec<TelegramUserId> = notices().filter_map(|(_, notice)| self.user_of(&notice.to)).collect();
        users.sort_unstable();
        users.dedup();
        (self.sent, self.reaches) = store.sent_and_reaches(&keys, &users).await?;
        Ok(())
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
        + crate::ports::MessageTickets
        + crate::ports::Deliveries,
    M: Messenger,
{
    /// Handles a batch. What each record owes is worked out concurrently (each against the
    /// tickets as the records before it left them); then each chat's notices go out in record
    /// order, the chats concurrently, under the courier's pacing. A chat whose notice fails stops
    /// there and keeps the rest of its notices; the other chats go on, unless the failure is
    /// Telegram's or the store's (then every chat stops and keeps what it has left). Returns the
    /// sequence number of the first record one of whose notices was not delivered (the stream
    /// hands it back with the records after it; their delivered notices are marked sent, so a
    /// retry never sends them again), or `None`. `remaining` is the time left before the
    /// function's deadline; `now` is when the batch is handled.
    pub async fn handle_batch(
        &self,
        records: &[Record],
        remaining: impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let mut seen = SeenTickets::default();
        let views: Vec<SeenTickets> = records
            .iter()
            .map(|record| {
                seen.note(&record.change);
                seen.clone()
            })
            .collect();
        let mut owed = self.owed_by(records, &views).await;
        // A record whose notices cannot be worked out is handed back with the ones after it.
        let unread = owed.iter().position(Result::is_err);
        let held = owed.split_off(unread.unwrap_or(records.len()));
        let mut lanes: Vec<Vec<(usize, Outgoing)>> = vec![];
        let mut lane_of: HashMap<TelegramUserId, usize> = HashMap::new();
        for (at, notices) in owed.into_iter().enumerate() {
            for notice in notices.into_iter().flatten() {
                let lane = *lane_of.entry(notice.user).or_insert_with(|| {
                    lanes.push(vec![]);
                    lanes.len() - 1
                });
                lanes[lane].push((at, notice));
            }
        }
        let halt = Mutex::new(None);
        let failures = join_all(lanes.iter().map(|lane| self.run_lane(lane, &halt, &remaining, now))).await;
        let mut failed = failures.into_iter().flatten().min_by_key(|(at, _)| *at);
        if let Some(first) = unread {
            let mut held = held.into_iter();
            let error = held
                .next()
                .and_then(Result::err)
                .map_or_else(|| Stop { reason: FailureReason::Storage, detail: "unread".into() }, Stop::storage);
            self.keep_held_back(&records[first..], held, &error, &remaining, now).await;
            if failed.as_ref().is_none_or(|(at, _)| first < *at) {
                failed = Some((first, error));
            }
        }
        let (at, stop) = failed?;
        let record = &records[at];
        tracing::warn!(
            event_id = %record.event_id,
            reason = stop.reason.code(),
            detail = %stop.detail,
            "stream record handed back for a retry"
        );
        Some(record.sequence.clone())
    }

    /// Delivers one chat's notices in order. The first that fails stops the lane: it and the
    /// rest are kept, and its record is returned with why. A failure that is not about one
    /// message, one chat or this lane's time (Telegram's, the token's, the store's) halts every
    /// lane.
    async fn run_lane(
        &self,
        lane: &[(usize, Outgoing)],
        halt: &Mutex<Option<Stop>>,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Option<(usize, Stop)> {
        for (i, (at, notice)) in lane.iter().enumerate() {
            let halted = halt.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
            let result = match halted {
                Some(stop) => Err(Stop { reason: stop.reason, detail: format!("held back: {}", stop.detail) }),
                None => self.courier.deliver(notice, remaining, now).await.map(drop),
            };
            let Err(stop) = result else { continue };
            // One message refused, one chat limited, or one chat's slot past the deadline (each
            // lane finds out the time for itself): the other chats go on.
            if !matches!(stop.reason, FailureReason::Refused | FailureReason::RateLimited | FailureReason::OutOfTime) {
                halt.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert_with(|| stop.clone());
            }
            let rest: Vec<Outgoing> = lane[i..].iter().map(|(_, notice)| notice.clone()).collect();
            self.courier.keep(&rest, &stop, now).await;
            return Some((*at, stop));
        }
        None
    }

    /// Keeps what the records from an unread one on owe (`held`: what was worked out for those
    /// after it): the stream hands them back with it, and drops them with it when its retries run
    /// out. Best effort, while time is left.
    async fn keep_held_back(
        &self,
        records: &[Record],
        held: impl Iterator<Item = Result<Vec<Outgoing>, StoreError>>,
        stop: &Stop,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) {
        let failed = &records[0];
        let held_stop =
            Stop { reason: stop.reason, detail: format!("held back behind {}: {}", failed.event_id, stop.detail) };
        for (at, (record, owed)) in records[1..].iter().zip(held).enumerate() {
            let kept = remaining() > TIME_TO_ANSWER
                && match owed {
                    Ok(owed) => self.courier.keep(&owed, &held_stop, now).await,
                    Err(error) => {
                        tracing::error!(event_id = %record.event_id, %error, "could not work out what a record owes");
                        false
                    }
                };
            if !kept {
                tracing::error!(
                    records = records.len() - 1 - at,
                    "records handed back without their notices kept: only the stream and its failure queue hold them"
                );
                return;
            }
        }
    }

    /// What each record of a batch still owes: its notices, rendered and addressed, less those
    /// sent before and those to people Telegram cannot reach (not linked, or unreachable).
    /// `views`: the tickets as the batch's records up to each one left them (for the menus of
    /// clients' notices). The reads are the batch's, not each notice's: the directory entries
    /// the changes name, the sent markers and the recipients' user records in a batch read each
    /// ([`Batch`]), each contact's tickets (the menu) once. A record whose notices cannot be
    /// worked out is an `Err`; the others are worked out whatever the records before them.
    async fn owed_by(&self, records: &[Record], views: &[SeenTickets]) -> Vec<Result<Vec<Outgoing>, StoreError>> {
        let mut batch = Batch::default();
        if let Err(error) = batch.prefetch(&self.courier.store, records).await {
            tracing::warn!(%error, "the batch's directory entries could not be read at once: read one by one");
        }
        let rendered = join_all(records.iter().map(|record| self.render(record, &batch))).await;
        // Every record that rendered is addressed, those behind one that did not too: what
        // they owe is kept while the stream hands them back with it.
        let ready: Vec<(&Record, &Rendered)> = records
            .iter()
            .zip(&rendered)
            .filter_map(|(record, rendered)| Some((record, rendered.as_ref().ok()?.as_ref()?)))
            .collect();
        let read = batch.recipients(&self.courier.store, &ready).await;
        let mut out = vec![];
        for ((record, view), rendered) in records.iter().zip(views).zip(rendered) {
            out.push(match (rendered, &read) {
                (Ok(None), _) => Ok(vec![]),
                (Err(error), _) => Err(error),
                (Ok(Some(_)), Err(error)) => Err(StoreError::Unavailable(error.to_string().into())),
                (Ok(Some(rendered)), Ok(())) => self.address(record, view, &rendered, &batch).await,
            });
        }
        out
    }

    /// A record's notices in every language, with what they are about.
    async fn render(&self, record: &Record, batch: &Batch) -> Result<Option<Rendered>, StoreError> {
        // A later album part is told as the files of what its album made, to the same people.
        let (change, files_only) = match &record.change {
            Change::FilesAdded { ticket_id, comment_id, files } => {
                match self.joined(*ticket_id, comment_id.as_deref(), files).await? {
                    Some(joined) => (joined, true),
                    None => return Ok(None),
                }
            }
            change => (change.clone(), false),
        };
        let context = self.context(&change, batch).await?;
        // Rendered in every language; each recipient gets the one kept on their record (read
        // anyway, for whether they can be reached).
        let all = Lang::ALL.map(|lang| {
            let mut all = notices(&change, &context, &self.settings, lang);
            all.retain(|notice| !files_only || !notice.files.is_empty());
            (lang, all)
        });
        Ok(Some(Rendered { change, context, all }))
    }

    /// The record's rendered notices as they go: to whom, in their language, with their buttons.
    async fn address(
        &self,
        record: &Record,
        seen: &SeenTickets,
        rendered: &Rendered,
        batch: &Batch,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let Rendered { change, context, all } = rendered;
        let call_me = match change {
            Change::CallMeRequested(request) => Some(request.id.clone()),
            _ => None,
        };
        let mut owed = vec![];
        for (at, notice) in all[0].1.iter().enumerate() {
            let key = key_of(&record.event_id, notice);
            if batch.sent.contains(&key) {
                continue;
            }
            let Some(user) = batch.user_of(&notice.to) else {
                continue; // not linked to Telegram: nobody to tell
            };
            let Some(reach) = batch.reaches.get(&user).filter(|reach| !reach.unreachable) else { continue };
            let lang = reach.language.map_or(self.settings.default_lang, |kept| kept.lang);
            // Every language's rendering names the same recipients in the same order (a unit
            // test holds it); should one ever not, the recipient still hears, in the first.
            let in_their_language = all.iter().find(|(l, _)| *l == lang).and_then(|(_, all)| all.get(at));
            let notice = in_their_language.cloned().unwrap_or_else(|| {
                tracing::error!(event = %record.event_id, "a notice with no rendering in {lang:?}: sent as rendered first");
                notice.clone()
            });
            let menu = match &notice.to {
                // Score buttons, or files: no menu (an album carries no keyboard).
                _ if notice.rate.is_some() || !notice.files.is_empty() => None,
                Recipient::Contact(contact_id) => {
                    let listed = batch.listed(&self.courier.store, contact_id).await?;
                    Some(seen.counts(contact_id, &listed, context.ticket.as_ref()))
                }
                Recipient::Employee(_) => None,
            };
            // An employee's buttons: what the ticket, as the batch saw it, offers them.
            let actions = match (&notice.to, ticket_now(change, context)) {
                (Recipient::Employee(id), Some(ticket)) if notice.rate.is_none() && notice.files.is_empty() => {
                    crate::dialogue::staff_presses(ticket, id, context.manager_id.as_ref() == Some(id))
                }
                _ => vec![],
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
                files: notice.files,
                actions,
            });
        }
        Ok(owed)
    }

    /// What a later album part's files joined, as the change that made it with those files:
    /// the comment (its author and whether it is internal decide who hears), or the ticket.
    /// `None` when it is not there (nothing to tell).
    async fn joined(
        &self,
        ticket_id: u64,
        comment_id: Option<&str>,
        files: &[crate::dialogue::StoredFile],
    ) -> Result<Option<Change>, StoreError> {
        let store = &self.courier.store;
        let files = files.to_vec();
        Ok(match comment_id {
            Some(comment_id) => {
                store.comment(ticket_id, comment_id).await?.map(|comment| Change::CommentAdded { comment, files })
            }
            None => store.ticket(ticket_id).await?.map(|ticket| Change::TicketCreated { ticket, files }),
        })
    }

    /// Names and facts the texts need: from the batch's reads where they hold them.
    async fn context(&self, change: &Change, batch: &Batch) -> Result<Context, StoreError> {
        let store = &self.courier.store;
        let mut context = Context::default();
        if let Change::CallMeRequested(request) = change {
            if let Some(contact) = batch.contact(store, &request.contact_id).await? {
                context.contact_name = contact.name;
                context.contact_phone = contact.phone.international();
            }
            if let Some(client) = batch.client(store, &request.client_id).await? {
                context.client_name = client.name;
                context.manager_id = client.manager_id;
            }
            return Ok(context);
        }
        let ticket = match change {
            Change::TicketCreated { ticket, .. } => Some(ticket.clone()),
            Change::TicketChanged { new, .. } => Some(Ticket::clone(new)),
            Change::CommentAdded { comment, .. } => store.ticket(comment.ticket_id).await?,
            Change::FilesAdded { .. } | Change::CallMeRequested(_) | Change::Nothing => None,
        };
        let Some(ticket) = ticket else { return Ok(context) };
        if let Some(contact) = batch.contact(store, &ticket.contact_id).await? {
            context.contact_name = contact.name;
        }
        if let Some(client) = batch.client(store, &ticket.client_id).await? {
            context.client_name = client.name;
            context.client_vip = client.vip;
            context.manager_id = client.manager_id;
        }
        if let Some(assignee) = &ticket.assignee_id {
            context.assignee_name = batch.employee(store, assignee).await?.map(|e| e.name);
        }
        if matches!(change, Change::CommentAdded { .. }) {
            context.ticket = Some(ticket);
        }
        Ok(context)
    }
}
