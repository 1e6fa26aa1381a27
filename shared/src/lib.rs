//! The service-desk client bot: domain, dialogue and the application service that runs them,
//! plus (behind features) the adapters to DynamoDB, S3 and the Telegram Bot API.
//!
//! Where things happen:
//! - an update enters through [`inbound::parse_update`] as a [`dialogue::Inbound`];
//! - the dialogue decides in [`dialogue::step`] (pure);
//! - effects happen in [`app::Bot::handle`]: one conditional commit, then the replies.

#[cfg(feature = "staff-api")]
pub mod api;
#[cfg(feature = "bot")]
pub mod app;
pub mod config;
pub mod dialogue;
pub mod domain;
pub mod hours;
pub mod inbound;
pub mod media;
pub mod notify;
pub mod observability;
pub mod phone;
pub mod plan;
pub mod ports;
pub mod texts;
pub mod zone;

#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "telegram")]
pub mod telegram;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
