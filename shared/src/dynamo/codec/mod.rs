//! One codec per record: how each domain record becomes an item and back. Attribute names are
//! known here (and in the conditions of `apply.rs` and the ports' writes, next door).

pub mod attachment;
pub mod call_me;
pub mod comment;
pub mod directory;
pub mod failed_notice;
pub mod journal;
pub mod kept_result;
pub mod message_ticket;
pub mod rating;
pub mod ticket;
pub mod upload;
pub mod user;
