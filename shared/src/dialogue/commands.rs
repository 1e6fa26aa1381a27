//! Commands besides `/start`: `/menu` and `/help` show the main menu with what each button
//! does (any other `/command` gets the same, never a ticket), and `/company` lets a client
//! whose phone is a contact's of several companies choose the company again. `/language`
//! (anyone's, registered or not) chooses the bot's language.

use super::registration::company_buttons;
use super::tickets::{counts, menu_keeping, tickets};
use super::*;

/// `/menu`, `/help`, or a command the bot does not have: the menu's buttons explained, and the
/// commands. The dialogue stays where it was: a message waiting for "new or attach?" waits on.
pub(super) fn help(me: &Me<'_>, user: &UserRecord, facts: &Facts) -> Result<Outcome, Need> {
    let lang = me.lang;
    let counts = counts(tickets(me, facts)?);
    let several = companies(me, facts)?.len() > 1;
    let command = |c: Command| format!("/{}", c.name());
    let buttons: Vec<String> = menu_buttons(counts)
        .into_iter()
        .map(|b| {
            texts::fill(
                texts::HELP_BUTTON.get(lang),
                &[("label", b.label(lang)), ("what", texts::menu_button_hint(b, lang))],
            )
        })
        .collect();
    let mut parts =
        vec![texts::HELP_INTRO.get(lang).to_owned(), buttons.join("\n"), texts::HELP_WRITE.get(lang).to_owned()];
    parts.push(texts::fill(
        texts::HELP_COMMANDS.get(lang),
        &[("menu", &command(Command::Menu)), ("help", &command(Command::Help)), ("start", &command(Command::Start))],
    ));
    if several {
        parts.push(texts::fill(texts::HELP_COMPANY.get(lang), &[("company", &command(Command::Company))]));
    }
    parts.push(texts::fill(texts::HELP_LANGUAGE.get(lang), &[("language", &command(Command::Language))]));
    parts.push(texts::fill(texts::HELP_UNLINK.get(lang), &[("unlink", &command(Command::Unlink))]));
    Ok(Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(&parts.join("\n\n"), main_menu(counts, lang))],
    })
}

/// `/unlink`: asks first (the dialogue stays where it was until the answer).
pub(super) fn unlink(user: &UserRecord, lang: Lang) -> Outcome {
    let buttons = vec![vec![
        InlineButton::new(texts::BTN_UNLINK_YES.get(lang), Press::Unlink(true)),
        InlineButton::new(texts::BTN_UNLINK_NO.get(lang), Press::Unlink(false)),
    ]];
    Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(texts::UNLINK_CONFIRM.get(lang), Keyboard::Inline(buttons))],
    }
}

/// `/language`: the languages to choose from, each named in itself (the dialogue stays where
/// it was).
pub(super) fn choose_language(user: &UserRecord, lang: Lang) -> Outcome {
    let buttons = vec![Lang::ALL.into_iter().map(|l| InlineButton::new(l.name(), Press::Language(l))).collect()];
    Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(texts::LANGUAGE_PROMPT.get(lang), Keyboard::Inline(buttons))],
    }
}

/// «Русский» / «English» pressed: the choice is kept, and said in the new language with what
/// the user has in it: a client's main menu, an employee's word, or the way to register.
pub(super) fn language_chosen(
    me: Option<Me<'_>>,
    user: &UserRecord,
    press_id: &str,
    chosen: Lang,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let keep = Effect::SetLanguage(Language { lang: chosen, chosen: true });
    let said = texts::LANGUAGE_CHOSEN.get(chosen);
    let mut outcome = match (me, &user.link) {
        (Some(me), _) => menu_keeping(&Me { lang: chosen, ..me }, user, facts, said, vec![answer(press_id, None)])?,
        (None, Some(Link::Employee { .. })) => Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![answer(press_id, None), text(said, Keyboard::Remove)],
        },
        (None, _) => Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![
                answer(press_id, None),
                text(&format!("{said}\n\n{}", texts::REGISTER_PROMPT.get(chosen)), Keyboard::SharePhone(chosen)),
            ],
        },
    };
    outcome.effects.push(keep);
    Ok(outcome)
}

/// `/company`: the companies of the client's phone to choose from (the current one marked), or
/// a word that there is only one.
pub(super) fn switch_company(me: &Me<'_>, user: &UserRecord, facts: &Facts) -> Result<Outcome, Need> {
    let companies = companies(me, facts)?;
    let phone = facts.contact.as_ref().and_then(Option::as_ref).map(|c| c.phone.clone());
    let (Some(phone), true) = (phone, companies.len() > 1) else {
        return menu_keeping(me, user, facts, texts::COMPANY_ONLY_ONE.get(me.lang), vec![]);
    };
    Ok(Outcome {
        state: State::ChoosingCompany { phone },
        effects: vec![],
        replies: vec![text(
            texts::CHOOSE_COMPANY.get(me.lang),
            Keyboard::Inline(company_buttons(&companies, Some(me.contact_id), me.lang)),
        )],
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
