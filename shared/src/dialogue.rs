//! The dialogue: what the bot answers to each input, as a pure function.
//!
//! ```text
//! user  /start                          (unknown Telegram account)
//! bot   Здравствуйте! … нажмите кнопку «📱 Поделиться номером»      [📱 Поделиться номером]
//! user  <shares own contact +7 912 345-67-89>
//! bot   Здравствуйте, Анна! 👋 … Выберите, что вы хотите сделать 👇  [main menu]
//!
//! user  <shares a number of contacts in two companies>
//! bot   Этот номер указан у контактных лиц нескольких компаний…    (inline: ООО Ромашка | АО Лютик)
//! user  <presses "АО Лютик">
//! bot   Здравствуйте, Анна! 👋 …                                    [main menu]
//! ```
//!
//! [`step`] never does I/O. When it needs a fact that must be read (the directory entries of a
//! phone, a contact's ticket counts) it returns [`Need`]; the caller reads it into [`Facts`] and
//! calls `step` again. The result is an [`Outcome`]: the next state, the effects to commit
//! atomically, and the replies to send after the commit. User mistakes are replies, not errors.

use crate::domain::{Link, TelegramUserId, TicketCounts};
use crate::phone::{self, Phone, Region};
use crate::texts;
use serde::{Deserialize, Serialize};

/// One Telegram update, reduced to what the bot acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub update_id: u64,
    pub user_id: TelegramUserId,
    pub chat_id: i64,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The `/start` command.
    Start,
    /// A shared contact card. `owner` is the Telegram user the card belongs to, as Telegram
    /// sets it: only a card whose owner is the sender proves the sender's phone.
    Contact { phone: String, owner: Option<TelegramUserId> },
    /// Text, including reply-keyboard presses (they arrive as their label).
    Text(String),
    /// An inline-button press.
    Callback { id: String, data: String },
    /// Something the bot does not take (a sticker, a location, a poll…), named for the reply.
    Unsupported(String),
}

/// Where a user is in the dialogue; persisted between updates. Each variant carries the data of
/// its step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum State {
    #[default]
    Idle,
    /// A phone of several companies' contacts was shared; the user picks the company.
    ChoosingCompany { phone: Phone },
}

/// A Telegram user's record: who they are, where the dialogue is, and the record's version for
/// optimistic concurrency (0 = never stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRecord {
    pub link: Option<Link>,
    pub state: State,
    pub version: u64,
}

/// Directory entries that carry a phone number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneMatches {
    pub contacts: Vec<ContactMatch>,
    pub employees: Vec<EmployeeMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactMatch {
    pub contact_id: String,
    pub client_id: String,
    pub client_name: String,
    pub name: String,
    pub active: bool,
    /// The Telegram account currently linked to the contact, if any.
    pub linked_user: Option<TelegramUserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeMatch {
    pub employee_id: String,
    pub name: String,
    pub linked_user: Option<TelegramUserId>,
}

/// Facts read on the dialogue's request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub phone_matches: Option<PhoneMatches>,
    pub tickets: Option<TicketCounts>,
}

/// A fact the dialogue needs before it can decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    PhoneMatches(Phone),
    Tickets { contact_id: String },
}

/// Changes to commit atomically with the next state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Link this Telegram user to a contact (unlinking whatever either side was linked to).
    LinkContact(ContactMatch),
    /// Link this Telegram user to an employee, for notifications.
    LinkEmployee(EmployeeMatch),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Text {
        text: String,
        keyboard: Keyboard,
    },
    /// Every inline-button press must be answered, or the client shows a spinner.
    AnswerCallback {
        callback_id: String,
        text: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyboard {
    /// Leave whatever keyboard the user has.
    Keep,
    /// The reply keyboard with the "share my phone" button.
    SharePhone,
    /// A reply keyboard of labels, one per row.
    Menu(Vec<&'static str>),
    Inline(Vec<Vec<InlineButton>>),
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineButton {
    pub label: String,
    /// At most 64 bytes (Telegram's limit on callback_data).
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    pub effects: Vec<Effect>,
    pub replies: Vec<Reply>,
}

impl Outcome {
    /// Whether committing this outcome would change nothing stored.
    pub fn is_read_only(&self, before: &UserRecord) -> bool {
        self.effects.is_empty() && self.state == before.state
    }
}

/// What the dialogue needs from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub support_phone: String,
    pub phone_region: Region,
}

/// Callback-data prefix of the company choice: `co:<contact_id>`.
const CHOOSE_CONTACT: &str = "co:";

/// Decides the answer to `input` given the user's record and the facts read so far.
pub fn step(settings: &Settings, user: &UserRecord, input: &Inbound, facts: &Facts) -> Result<Outcome, Need> {
    match (&user.link, &input.event) {
        (_, Event::Contact { phone, owner }) => shared_contact(settings, input, phone, *owner, facts),
        (_, Event::Callback { id, data }) if data.starts_with(CHOOSE_CONTACT) => {
            choose_company(user, id, &data[CHOOSE_CONTACT.len()..], facts)
        }
        (None, event) => Ok(Outcome {
            state: State::Idle,
            effects: vec![],
            replies: with_callback_answer(event, vec![text(texts::REGISTER_PROMPT, Keyboard::SharePhone)]),
        }),
        (Some(Link::Employee { .. }), event) => Ok(Outcome {
            state: State::Idle,
            effects: vec![],
            replies: with_callback_answer(event, vec![text(texts::EMPLOYEE_INFO, Keyboard::Remove)]),
        }),
        (Some(Link::Contact { contact_id, .. }), event) => {
            let counts = tickets(facts, contact_id)?;
            let prompt = match event {
                Event::Start => texts::MENU_PROMPT,
                _ => texts::NOT_YET_AVAILABLE,
            };
            Ok(Outcome {
                state: State::Idle,
                effects: vec![],
                replies: with_callback_answer(event, vec![text(prompt, main_menu(counts))]),
            })
        }
    }
}

/// The main menu fitting the contact's tickets (spec: "Главное меню бота").
pub fn main_menu(counts: TicketCounts) -> Keyboard {
    if counts.active > 0 {
        Keyboard::Menu(vec![texts::BTN_NEW_TICKET, texts::BTN_STATUS, texts::BTN_COMMENT, texts::BTN_CANCEL])
    } else {
        let mut buttons = vec![texts::BTN_NEW_TICKET, texts::BTN_CALL_ME];
        if counts.completed > 0 {
            buttons.push(texts::BTN_QUESTION_DONE);
        }
        Keyboard::Menu(buttons)
    }
}

fn shared_contact(
    settings: &Settings,
    input: &Inbound,
    raw_phone: &str,
    owner: Option<TelegramUserId>,
    facts: &Facts,
) -> Result<Outcome, Need> {
    if owner != Some(input.user_id) {
        return Ok(reply_only(text(texts::REGISTER_OWN_NUMBER_ONLY, Keyboard::SharePhone)));
    }
    let not_found = || {
        let message =
            texts::fill(texts::PHONE_NOT_FOUND, &[("phone", raw_phone), ("support", &settings.support_phone)]);
        reply_only(text(&message, Keyboard::SharePhone))
    };
    let Some(phone) = phone::normalize(raw_phone, settings.phone_region) else {
        return Ok(not_found());
    };
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    let active: Vec<&ContactMatch> = matches.contacts.iter().filter(|c| c.active).collect();
    match active.as_slice() {
        [only] => link_contact(only, facts),
        [] => match matches.employees.first() {
            Some(employee) => Ok(Outcome {
                state: State::Idle,
                effects: vec![Effect::LinkEmployee(employee.clone())],
                replies: vec![text(
                    &texts::fill(texts::WELCOME_EMPLOYEE, &[("name", &employee.name)]),
                    Keyboard::Remove,
                )],
            }),
            None => Ok(not_found()),
        },
        several => {
            let buttons = several
                .iter()
                .map(|c| {
                    vec![InlineButton {
                        label: c.client_name.clone(),
                        data: format!("{CHOOSE_CONTACT}{}", c.contact_id),
                    }]
                })
                .collect();
            Ok(Outcome {
                state: State::ChoosingCompany { phone },
                effects: vec![],
                replies: vec![text(texts::CHOOSE_COMPANY, Keyboard::Inline(buttons))],
            })
        }
    }
}

fn choose_company(user: &UserRecord, callback_id: &str, contact_id: &str, facts: &Facts) -> Result<Outcome, Need> {
    let answer = Reply::AnswerCallback { callback_id: callback_id.to_owned(), text: None };
    let State::ChoosingCompany { phone } = &user.state else {
        // A stale button: the choice was made or abandoned already.
        return Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![answer, text(texts::CHOICE_EXPIRED, Keyboard::SharePhone)],
        });
    };
    // The press is checked against the directory as it is now, not as it was when the buttons
    // were drawn: a contact deactivated since then cannot be chosen.
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    match matches.contacts.iter().find(|c| c.active && c.contact_id == contact_id) {
        Some(contact) => {
            let mut outcome = link_contact(contact, facts)?;
            outcome.replies.insert(0, answer);
            Ok(outcome)
        }
        None => Ok(Outcome {
            state: State::Idle,
            effects: vec![],
            replies: vec![answer, text(texts::CHOICE_EXPIRED, Keyboard::SharePhone)],
        }),
    }
}

fn link_contact(contact: &ContactMatch, facts: &Facts) -> Result<Outcome, Need> {
    let counts = tickets(facts, &contact.contact_id)?;
    Ok(Outcome {
        state: State::Idle,
        effects: vec![Effect::LinkContact(contact.clone())],
        replies: vec![text(&texts::fill(texts::WELCOME_CONTACT, &[("name", &contact.name)]), main_menu(counts))],
    })
}

fn tickets(facts: &Facts, contact_id: &str) -> Result<TicketCounts, Need> {
    facts.tickets.ok_or_else(|| Need::Tickets { contact_id: contact_id.to_owned() })
}

fn text(body: &str, keyboard: Keyboard) -> Reply {
    Reply::Text { text: body.to_owned(), keyboard }
}

fn reply_only(reply: Reply) -> Outcome {
    Outcome { state: State::Idle, effects: vec![], replies: vec![reply] }
}

/// Prepends the answer to an inline-button press, when the input was one.
fn with_callback_answer(event: &Event, mut replies: Vec<Reply>) -> Vec<Reply> {
    if let Event::Callback { id, .. } = event {
        replies.insert(0, Reply::AnswerCallback { callback_id: id.clone(), text: None });
    }
    replies
}

#[cfg(test)]
mod tests;
