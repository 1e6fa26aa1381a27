//! The application service: runs one update through the dialogue and carries out its outcome.
//!
//! Exactly-once, without a marker read on the hot path:
//! - An update that changes anything is committed in ONE conditional transaction with the
//!   marker `UPD#<update_id>` and the user's record (version check). A redelivery fails on the
//!   marker and sends nothing; a concurrent change fails on the version and is decided again.
//! - An update that changes nothing (a menu, a prompt) writes nothing: its only effect is the
//!   reply, and the reply rides in the webhook's HTTP response ([`Handled::respond_with`]).
//!   Telegram executes that response only when it receives it, and redelivers only when it did
//!   not, so such an update has its effect once without a marker (and costs no write).
//! - Replies before the last one are sent through the Bot API after the commit; a failure to
//!   send is logged, never retried by Telegram (the commit happened). The last one is kept with
//!   the marker: a redelivery after our answer was lost on the way answers the same.
//!
//! Every failure ends ([`Bot::answer`]): a failure that a redelivery may get past (throttling,
//! a timeout, a lost race) is left to Telegram's redelivery, at most [`MAX_FAILED_DELIVERIES`]
//! times; one that no redelivery can get past (a request the store refuses, a corrupt record, a
//! dialogue that cannot decide) is answered at once with a sentence that tells the client what
//! was not taken.

use crate::dialogue::{
    self, Content, DialogueSettings, Event, Facts, FileKind, Inbound, Keyboard, Need, Outcome, RejectedFile, Rejection,
    Reply, StoredFile, StoredFiles,
};
use crate::media;
use crate::ports::{
    AlbumClaims, CallMeRequests, Commit, Directory, DownloadError, FileSource, FileStore, MessageTickets, Messenger,
    StoreError, TicketStore, UserStore,
};
use crate::texts;
use chrono::{DateTime, Utc};

/// How often a decision is retried after losing a race on the user's record.
const MAX_ATTEMPTS: usize = 3;

/// How many deliveries of one update may fail before it is answered as not taken.
pub const MAX_FAILED_DELIVERIES: u32 = 3;

pub struct Bot<S, M, F> {
    pub store: S,
    /// Sends replies and fetches the files users send.
    pub messenger: M,
    /// The attachments bucket.
    pub files: F,
    pub settings: DialogueSettings,
}

/// What the webhook should answer Telegram.
#[derive(Debug, Default, PartialEq)]
pub struct Handled {
    /// The reply to return as the webhook response (`{"method": "sendMessage", ...}`).
    pub respond_with: Option<Reply>,
    /// The update had been handled before; nothing was done.
    pub duplicate: bool,
    /// For a duplicate: the response the first delivery answered with, as rendered then.
    pub replayed: Option<String>,
}

/// What to answer Telegram for an update.
#[derive(Debug)]
pub enum Verdict {
    /// Handled now or before: answer 200 with the reply.
    Done(Handled),
    /// Nothing was committed and a redelivery may succeed: answer 500.
    Retry(AppError),
    /// No redelivery can succeed: answer 200 with `reply`, which tells the client what was not
    /// taken and what to do.
    GiveUp { error: AppError, reply: Reply },
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the user's record kept changing under {0} attempts")]
    Contended(usize),
    /// The dialogue asked twice for one fact: a bug in the dialogue, reported rather than looped on.
    #[error("the dialogue asked again for {0:?}")]
    DialogueLoop(Need),
    #[error("a file could not be fetched from Telegram")]
    Download(#[source] crate::ports::BoxError),
}

impl AppError {
    /// No redelivery can succeed.
    pub fn is_permanent(&self) -> bool {
        match self {
            AppError::Store(error) => error.is_permanent(),
            AppError::DialogueLoop(_) => true,
            AppError::Contended(_) | AppError::Download(_) => false,
        }
    }
}

impl<S, M, F> Bot<S, M, F>
where
    S: UserStore + Directory + TicketStore + AlbumClaims + CallMeRequests + MessageTickets,
    M: Messenger + FileSource,
    F: FileStore,
{
    /// Handles one update and decides what its failure, if any, means: left to a redelivery,
    /// or answered for good (permanent, or failed [`MAX_FAILED_DELIVERIES`] times).
    pub async fn answer(&self, inbound: &Inbound, now: DateTime<Utc>) -> Verdict {
        let error = match self.handle(inbound, now).await {
            Ok(handled) => return Verdict::Done(handled),
            Err(error) => error,
        };
        if error.is_permanent() {
            return Verdict::GiveUp { reply: self.apology(&error, inbound), error };
        }
        match self.store.count_failed_attempt(inbound.update_id, now).await {
            Ok(failures) if failures >= MAX_FAILED_DELIVERIES => {
                Verdict::GiveUp { reply: self.apology(&error, inbound), error }
            }
            Ok(_) => Verdict::Retry(error),
            Err(count_error) => {
                tracing::warn!(error = %count_error, "a failed delivery could not be counted");
                Verdict::Retry(error)
            }
        }
    }

    /// One sentence for the client about an update that will not be taken, in the language
    /// their Telegram speaks (their record may be what failed to read).
    fn apology(&self, error: &AppError, inbound: &Inbound) -> Reply {
        let (lang, _) = dialogue::language(&self.settings, &dialogue::UserRecord::default(), inbound);
        let text = match error {
            AppError::Store(StoreError::Rejected(_)) => texts::UPDATE_TOO_LARGE.get(lang).to_owned(),
            _ => texts::fill(texts::UPDATE_FAILED.get(lang), &[("support", &self.settings.support_phone)]),
        };
        Reply::Text { text, keyboard: Keyboard::Keep }
    }

    /// Handles one update. An `Err` means nothing was committed.
    pub async fn handle(&self, inbound: &Inbound, now: DateTime<Utc>) -> Result<Handled, AppError> {
        for _ in 0..MAX_ATTEMPTS {
            let user = self.store.load_user(inbound.user_id).await?;
            let outcome = self.decide(&user, inbound, now).await?;
            if !outcome.is_read_only(&user) {
                let commit = Commit {
                    update_id: inbound.update_id,
                    user_id: inbound.user_id,
                    chat_id: inbound.chat_id,
                    before: &user,
                    state: &outcome.state,
                    effects: &outcome.effects,
                    now,
                    response: outcome.replies.last().map(|reply| self.messenger.render(inbound.chat_id, reply)),
                };
                match self.store.commit(&commit).await {
                    Ok(()) => {
                        for effect in &outcome.effects {
                            if let dialogue::Effect::CreateTicket(ticket) = effect {
                                tracing::info!(ticket_id = ticket.id, files = ticket.files.len(), "ticket created");
                                crate::observability::count(crate::observability::Metric::TicketsCreated, 1);
                            }
                        }
                    }
                    Err(StoreError::Duplicate) => {
                        tracing::info!(update_id = inbound.update_id, "duplicate delivery: answered as the first");
                        let replayed = match self.store.committed_response(inbound.update_id).await {
                            Ok(response) => response,
                            Err(error) => {
                                tracing::warn!(%error, "the first delivery's response could not be read");
                                None
                            }
                        };
                        return Ok(Handled { respond_with: None, duplicate: true, replayed });
                    }
                    Err(StoreError::Conflict) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
            return Ok(self.deliver(inbound.chat_id, outcome.replies).await);
        }
        Err(AppError::Contended(MAX_ATTEMPTS))
    }

    /// Runs the pure dialogue, reading each fact it asks for (each at most once).
    async fn decide(
        &self,
        user: &dialogue::UserRecord,
        inbound: &Inbound,
        now: DateTime<Utc>,
    ) -> Result<Outcome, AppError> {
        let mut facts = Facts::default();
        loop {
            match dialogue::step(&self.settings, user, inbound, &facts) {
                Ok(outcome) => return Ok(outcome),
                Err(Need::PhoneMatches(phone)) if facts.phone_matches.is_none() => {
                    tracing::info!(phone = %phone.masked(), "looking up a shared phone");
                    facts.phone_matches = Some(self.store.find_by_phone(&phone).await?);
                }
                Err(Need::Tickets { contact_id }) if facts.tickets.is_none() => {
                    facts.tickets = Some(self.store.contact_tickets(&contact_id).await?);
                }
                Err(Need::StoreFiles) if facts.files.is_none() => {
                    let Event::Message(content) = &inbound.event else {
                        return Err(AppError::DialogueLoop(Need::StoreFiles));
                    };
                    facts.files = Some(self.store_files(content).await?);
                }
                Err(Need::NewTicketId) if facts.new_ticket_id.is_none() => {
                    facts.new_ticket_id = Some(self.store.next_ticket_id().await?);
                }
                Err(Need::Ticket(id)) if !facts.has_read_ticket(id) => {
                    facts.read_tickets.push((id, self.store.ticket(id).await?));
                }
                Err(Need::Manager { client_id }) if facts.manager.is_none() => {
                    facts.manager = Some(self.store.manager(&client_id).await?);
                }
                Err(Need::Now) if facts.now.is_none() => facts.now = Some(now),
                Err(Need::Contact(id)) if facts.contact.is_none() => {
                    facts.contact = Some(self.store.get_contact(&id).await?);
                }
                Err(Need::StandingCallMe { contact_id }) if facts.standing_call_me.is_none() => {
                    let since = now - chrono::Duration::hours(crate::domain::CALL_ME_STANDS_HOURS);
                    let open = self.store.open_call_me(&contact_id, since).await?;
                    facts.standing_call_me = Some(open.filter(|request| request.stands(now)));
                }
                Err(Need::RepliedTo(message_id)) if facts.replied_to.is_none() => {
                    facts.replied_to = Some(self.store.message_ticket(inbound.chat_id, message_id).await?);
                }
                Err(Need::ManagerId { client_id }) if facts.manager_id.is_none() => {
                    facts.manager_id = Some(self.store.get_client(&client_id).await?.and_then(|c| c.manager_id));
                }
                Err(Need::Assigned { employee_id }) if facts.assigned.is_none() => {
                    facts.assigned = Some(self.store.assigned_tickets(&employee_id).await?);
                }
                Err(Need::Album(album)) if facts.album.is_none() => {
                    facts.album = Some(self.store.album_claim(inbound.user_id, &album).await?);
                }
                Err(need) => return Err(AppError::DialogueLoop(need)),
            }
        }
    }

    /// Fetches the message's files from Telegram and stores them in the bucket, before anything
    /// is committed: keys come from the files, so a retry rewrites the same objects. Photos are
    /// stored as JPEG (JPEG bytes as they came); documents keep their names.
    async fn store_files(&self, content: &Content) -> Result<StoredFiles, AppError> {
        let mut result = StoredFiles::default();
        for file in &content.files {
            let bytes = match self.messenger.download(&file.file_id).await {
                Ok(bytes) => bytes,
                Err(DownloadError::TooLarge) => {
                    result.rejected.push(RejectedFile { name: file.name.clone(), why: Rejection::TooLarge });
                    continue;
                }
                Err(DownloadError::Refused(reason)) => {
                    tracing::warn!(%reason, "Telegram refused a file; not taken");
                    result.rejected.push(RejectedFile { name: file.name.clone(), why: Rejection::Unreadable });
                    continue;
                }
                Err(DownloadError::Unavailable(error)) => return Err(AppError::Download(error)),
            };
            let (bytes, content_type) = match file.kind {
                FileKind::Photo => match media::photo_as_jpeg(bytes) {
                    Ok(jpeg) => (jpeg, "image/jpeg".to_owned()),
                    Err(error) => {
                        // Each with its own sentence: too large to convert, or not an image at all.
                        let why = match error {
                            image::ImageError::Limits(_) => Rejection::PictureTooLarge,
                            _ => Rejection::NotAnImage,
                        };
                        tracing::warn!(%error, ?why, "a photo was not taken");
                        result.rejected.push(RejectedFile { name: file.name.clone(), why });
                        continue;
                    }
                },
                _ => (bytes, file.mime_type.clone().unwrap_or_else(|| "application/octet-stream".into())),
            };
            let key = media::object_key(&file.unique_id, &file.name);
            let size = bytes.len() as u64;
            self.files.put_file(&key, bytes, &content_type, &file.name).await?;
            let telegram = Some(crate::dialogue::TelegramFile {
                file_id: file.file_id.clone(),
                kind: file.kind,
                name: file.name.clone(),
            });
            result.stored.push(StoredFile { name: file.name.clone(), content_type, size, key, telegram });
        }
        Ok(result)
    }

    /// Sends all replies but the last, which is returned to ride in the webhook response.
    async fn deliver(&self, chat_id: i64, mut replies: Vec<Reply>) -> Handled {
        let last = replies.pop();
        for reply in &replies {
            if let Err(error) = self.messenger.send(chat_id, reply).await {
                tracing::warn!(%error, "a reply could not be sent");
            }
        }
        Handled { respond_with: last, duplicate: false, replayed: None }
    }
}

#[cfg(test)]
mod tests;
