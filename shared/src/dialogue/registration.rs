//! Registration: a shared phone number links the Telegram account to a contact or employee.

use super::*;
use crate::domain::TelegramUserId;
use crate::phone;

pub(super) fn shared_contact(
    settings: &DialogueSettings,
    input: &Inbound,
    raw_phone: &str,
    owner: Option<TelegramUserId>,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    if owner != Some(input.user_id) {
        return Ok(reply_only(text(texts::REGISTER_OWN_NUMBER_ONLY.get(lang), Keyboard::SharePhone(lang))));
    }
    let phone = phone::normalize(raw_phone, settings.phone_region);
    let not_found = || {
        // In international format when it is a number; else as shared, cut short (nothing
        // longer is a phone number, `phone::normalize`, and the reply must fit Telegram).
        let shown = match &phone {
            Some(phone) => phone.international(),
            None => quoted(raw_phone.trim(), phone::MAX_LEN),
        };
        let message =
            texts::fill(texts::PHONE_NOT_FOUND.get(lang), &[("phone", &shown), ("support", &settings.support_phone)]);
        reply_only(text(&message, Keyboard::SharePhone(lang)))
    };
    let Some(phone) = phone.clone() else {
        return Ok(not_found());
    };
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    let active: Vec<&ContactMatch> = matches.contacts.iter().filter(|c| c.active).collect();
    match active.as_slice() {
        [only] => link_contact(only, facts, false, lang),
        [] => match matches.employees.iter().find(|e| e.active) {
            Some(employee) => Ok(Outcome {
                state: State::Idle,
                effects: vec![Effect::LinkEmployee(employee.clone())],
                replies: vec![text(
                    &texts::fill(texts::WELCOME_EMPLOYEE.get(lang), &[("name", &employee.name)]),
                    Keyboard::Remove,
                )],
            }),
            None => Ok(not_found()),
        },
        several => Ok(Outcome {
            state: State::ChoosingCompany { phone },
            effects: vec![],
            replies: vec![text(
                texts::CHOOSE_COMPANY.get(lang),
                Keyboard::Inline(company_buttons(several, None, lang)),
            )],
        }),
    }
}

/// One button per company to choose from; `current`, the contact the user works as now, marked.
pub(super) fn company_buttons(contacts: &[&ContactMatch], current: Option<&str>, lang: Lang) -> Vec<Vec<InlineButton>> {
    contacts
        .iter()
        .map(|c| {
            let label = if Some(c.contact_id.as_str()) == current {
                texts::fill(texts::COMPANY_CURRENT.get(lang), &[("name", &c.client_name)])
            } else {
                c.client_name.clone()
            };
            vec![InlineButton::new(label, Press::ChooseCompany(c.contact_id.clone()))]
        })
        .collect()
}

/// A company chosen ([`Press::ChooseCompany`]) among those of the phone shared last, or (a
/// client switching with `/company`) of their contact's phone.
pub(super) fn choose_company(
    user: &UserRecord,
    press_id: &str,
    contact_id: &str,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let switching = matches!(user.link, Some(Link::Contact { .. }));
    let expired = |state: State| {
        // A client keeps their menu: the press is only answered.
        let replies = if switching {
            vec![answer(press_id, Some(texts::BUTTON_STALE.get(lang)))]
        } else {
            vec![answer(press_id, None), text(texts::CHOICE_EXPIRED.get(lang), Keyboard::SharePhone(lang))]
        };
        Outcome { state, effects: vec![], replies }
    };
    let State::ChoosingCompany { phone } = &user.state else {
        // A stale button: the choice was made or abandoned already.
        return Ok(expired(user.state.clone()));
    };
    // The press is checked against the directory as it is now, not as it was when the buttons
    // were drawn: a contact deactivated since then cannot be chosen.
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(phone.clone()))?;
    match matches.contacts.iter().find(|c| c.active && c.contact_id == contact_id) {
        Some(contact) => {
            let mut outcome = link_contact(contact, facts, switching, lang)?;
            outcome.replies.insert(0, answer(press_id, None));
            Ok(outcome)
        }
        None => Ok(expired(State::Idle)),
    }
}

/// Links the contact; `switching`: a client chose another company (or the same) with `/company`.
fn link_contact(contact: &ContactMatch, facts: &Facts, switching: bool, lang: Lang) -> Result<Outcome, Need> {
    let tickets = facts.tickets.as_ref().ok_or_else(|| Need::Tickets { contact_id: contact.contact_id.clone() })?;
    let said = if switching {
        texts::fill(texts::COMPANY_CHOSEN.get(lang), &[("client", &contact.client_name)])
    } else {
        texts::fill(texts::WELCOME_CONTACT.get(lang), &[("name", &contact.name)])
    };
    Ok(Outcome {
        state: State::Idle,
        effects: vec![Effect::LinkContact(contact.clone())],
        replies: vec![text(&said, main_menu(tickets::counts(tickets), lang))],
    })
}

fn reply_only(reply: Reply) -> Outcome {
    Outcome { state: State::Idle, effects: vec![], replies: vec![reply] }
}
