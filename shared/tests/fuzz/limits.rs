//! What Telegram accepts from a bot: a reply outside these limits is refused with a 400, and
//! the user sees nothing.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use shared::dialogue::{Keyboard, Press, Reply};

/// `sendMessage` text: 1–4096 characters. Counted in UTF-16 code units, as Telegram counts
/// (an emoji outside the BMP is two): the stricter reading.
pub const TEXT_MAX: usize = 4096;
/// `answerCallbackQuery` text: up to 200 characters.
pub const PRESS_ANSWER_MAX: usize = 200;
/// An inline button's `callback_data`: 1–64 bytes.
pub const CALLBACK_DATA_MAX: usize = 64;

fn telegram_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Fails the case when Telegram would refuse the reply.
pub fn check_reply(reply: &Reply) -> Result<(), TestCaseError> {
    match reply {
        Reply::Text { text, keyboard } => {
            prop_assert!(!text.trim().is_empty(), "an empty message is refused: {reply:?}");
            let length = telegram_length(text);
            prop_assert!(length <= TEXT_MAX, "a message of {length} characters is refused");
            check_keyboard(keyboard)
        }
        Reply::AnswerPress { text, .. } => {
            let length = text.as_deref().map_or(0, telegram_length);
            prop_assert!(length <= PRESS_ANSWER_MAX, "a press answer of {length} characters is refused");
            Ok(())
        }
        Reply::Notice { html, .. } => {
            let length = telegram_length(html);
            prop_assert!(length <= TEXT_MAX, "a notice of {length} characters is refused");
            Ok(())
        }
        Reply::Files(files) => {
            prop_assert!(!files.is_empty(), "no files, no message");
            Ok(())
        }
        Reply::SetButtons { keyboard, .. } => {
            prop_assert!(matches!(keyboard, Keyboard::Inline(_)), "only inline buttons are redrawn: {reply:?}");
            check_keyboard(keyboard)
        }
    }
}

fn check_keyboard(keyboard: &Keyboard) -> Result<(), TestCaseError> {
    match keyboard {
        Keyboard::Menu(labels) => prop_assert!(labels.iter().all(|l| !l.is_empty()), "an empty label: {labels:?}"),
        Keyboard::Inline(rows) => {
            for button in rows.iter().flatten() {
                prop_assert!(!button.label.trim().is_empty(), "a button without a label: {button:?}");
                let data = button.press.encode();
                prop_assert!(
                    (1..=CALLBACK_DATA_MAX).contains(&data.len()),
                    "callback_data of {} bytes is refused: {data:?}",
                    data.len()
                );
                prop_assert_eq!(
                    Press::parse(&data),
                    Some(button.press.clone()),
                    "the bot must understand its own button"
                );
            }
        }
        Keyboard::Keep | Keyboard::SharePhone(_) | Keyboard::Remove => {}
    }
    Ok(())
}
