//! Registration: a shared phone number links the Telegram account to a contact or employee.

use super::*;
use crate::phone;

pub(super) fn shared_contact(
    settings: &DialogueSettings,
    input: &Inbound,
    raw_phone: &str,
    owner: Option<TelegramUserId>,
    facts: &Facts,
) -> Result<Outcome, Need> {
    if owner != Some(input.user_id) {
        return Ok(reply_only(text(texts::REGISTER_OWN_NUMBER_ONLY, Keyboard::SharePhone)));
    }
    let not_found = || {
        // Nothing longer is a phone number (`phone::normalize`), and the reply must fit Telegram.
        let shown = quoted(raw_phone.trim(), phone::MAX_LEN);
        let message = texts::fill(texts::PHONE_NOT_FOUND, &[("phone", &shown), ("support", &settings.support_phone)]);
        reply_only(text(&message, Keyboard::SharePhone))
    };
    let Some(phone) = phone::normalize(raw_phone, settings.phone_region) else {
        return Ok(not_found());
    };
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    let active: Vec<&ContactMatch> = matches.contacts.iter().filter(|c| c.active).collect();
    match active.as_slice() {
        [only] => link_contact(only, facts),
        [] => match matches.employees.iter().find(|e| e.active) {
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
                .map(|c| vec![InlineButton::new(c.client_name.clone(), Press::ChooseCompany(c.contact_id.clone()))])
                .collect();
            Ok(Outcome {
                state: State::ChoosingCompany { phone },
                effects: vec![],
                replies: vec![text(texts::CHOOSE_COMPANY, Keyboard::Inline(buttons))],
            })
        }
    }
}

/// A company chosen ([`Press::ChooseCompany`]) among those of the phone shared last.
pub(super) fn choose_company(
    user: &UserRecord,
    press_id: &str,
    contact_id: &str,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let pressed = answer(press_id, None);
    let State::ChoosingCompany { phone } = &user.state else {
        // A stale button: the choice was made or abandoned already.
        return Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![pressed, text(texts::CHOICE_EXPIRED, Keyboard::SharePhone)],
        });
    };
    // The press is checked against the directory as it is now, not as it was when the buttons
    // were drawn: a contact deactivated since then cannot be chosen.
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    match matches.contacts.iter().find(|c| c.active && c.contact_id == contact_id) {
        Some(contact) => {
            let mut outcome = link_contact(contact, facts)?;
            outcome.replies.insert(0, pressed);
            Ok(outcome)
        }
        None => Ok(Outcome {
            state: State::Idle,
            effects: vec![],
            replies: vec![pressed, text(texts::CHOICE_EXPIRED, Keyboard::SharePhone)],
        }),
    }
}

fn link_contact(contact: &ContactMatch, facts: &Facts) -> Result<Outcome, Need> {
    let tickets = facts.tickets.as_ref().ok_or_else(|| Need::Tickets { contact_id: contact.contact_id.clone() })?;
    Ok(Outcome {
        state: State::Idle,
        effects: vec![Effect::LinkContact(contact.clone())],
        replies: vec![text(
            &texts::fill(texts::WELCOME_CONTACT, &[("name", &contact.name)]),
            main_menu(tickets::counts(tickets)),
        )],
    })
}

fn reply_only(reply: Reply) -> Outcome {
    Outcome { state: State::Idle, effects: vec![], replies: vec![reply] }
}
