//! Commands besides `/start`: `/menu` and `/help` show the main menu with what each button
//! does (any other `/command` gets the same, never a ticket), and `/company` lets a client
//! whose phone is a contact's of several companies choose the company again.

use super::registration::company_buttons;
use super::tickets::{counts, menu_keeping, tickets};
use super::*;

/// `/menu`, `/help`, or a command the bot does not have: the menu's buttons explained, and the
/// commands. The dialogue stays where it was: a message waiting for "new or attach?" waits on.
pub(super) fn help(me: &Me<'_>, user: &UserRecord, facts: &Facts) -> Result<Outcome, Need> {
    let counts = counts(tickets(me, facts)?);
    let several = companies(me, facts)?.len() > 1;
    let command = |c: Command| format!("/{}", c.name());
    let buttons: Vec<String> = menu_buttons(counts)
        .into_iter()
        .map(|b| texts::fill(texts::HELP_BUTTON, &[("label", b.label()), ("what", texts::menu_button_hint(b))]))
        .collect();
    let mut parts = vec![texts::HELP_INTRO.to_owned(), buttons.join("\n"), texts::HELP_WRITE.to_owned()];
    parts.push(texts::fill(
        texts::HELP_COMMANDS,
        &[("menu", &command(Command::Menu)), ("help", &command(Command::Help)), ("start", &command(Command::Start))],
    ));
    if several {
        parts.push(texts::fill(texts::HELP_COMPANY, &[("company", &command(Command::Company))]));
    }
    parts.push(texts::fill(texts::HELP_UNLINK, &[("unlink", &command(Command::Unlink))]));
    Ok(Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(&parts.join("\n\n"), main_menu(counts))],
    })
}

/// `/unlink`: asks first (the dialogue stays where it was until the answer).
pub(super) fn unlink(user: &UserRecord) -> Outcome {
    let buttons = vec![vec![
        InlineButton::new(texts::BTN_UNLINK_YES, Press::Unlink(true)),
        InlineButton::new(texts::BTN_UNLINK_NO, Press::Unlink(false)),
    ]];
    Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(texts::UNLINK_CONFIRM, Keyboard::Inline(buttons))],
    }
}

/// `/company`: the companies of the client's phone to choose from (the current one marked), or
/// a word that there is only one.
pub(super) fn switch_company(me: &Me<'_>, user: &UserRecord, facts: &Facts) -> Result<Outcome, Need> {
    let companies = companies(me, facts)?;
    let phone = facts.contact.as_ref().and_then(Option::as_ref).map(|c| c.phone.clone());
    let (Some(phone), true) = (phone, companies.len() > 1) else {
        return menu_keeping(me, user, facts, texts::COMPANY_ONLY_ONE, vec![]);
    };
    Ok(Outcome {
        state: State::ChoosingCompany { phone },
        effects: vec![],
        replies: vec![text(texts::CHOOSE_COMPANY, Keyboard::Inline(company_buttons(&companies, Some(me.contact_id))))],
    })
}

/// The active contacts that share the linked contact's phone (it among them), read from the
/// directory as it is now; none when the contact is gone or inactive.
fn companies<'f>(me: &Me<'_>, facts: &'f Facts) -> Result<Vec<&'f ContactMatch>, Need> {
    let contact = facts.contact.as_ref().ok_or_else(|| Need::Contact(me.contact_id.to_owned()))?;
    let Some(contact) = contact.as_ref().filter(|c| c.active) else { return Ok(vec![]) };
    let matches = facts.phone_matches.as_ref().ok_or_else(|| Need::PhoneMatches(contact.phone.clone()))?;
    Ok(matches.contacts.iter().filter(|c| c.active).collect())
}
