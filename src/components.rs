//! Building blocks shared by the pages.

mod card;
mod clock;
mod error_message;
mod forbidden;
mod guard;
mod lang_switch;
mod layout;
mod load;
mod nav_menu;
mod offline_banner;
mod page_chunk;
mod session_panel;
mod session_timeline;
mod sign_in_error;

pub use card::Card;
pub use error_message::{ErrorMessage, RecheckPermissions};
pub use forbidden::Forbidden;
pub use guard::RequirePolicy;
pub use lang_switch::LangSwitch;
pub use layout::AdminLayout;
pub use load::{Load, Loader, use_load};
pub use nav_menu::NavMenu;
pub use offline_banner::OfflineBanner;
pub use page_chunk::{BuildPage, LoadPage, PageChunk, PageFuture};
pub use session_panel::SessionPanel;
pub use session_timeline::SessionTimeline;
pub use sign_in_error::{
    AbpSignInError, BffSignInError, SignInError, describe_abp, describe_bff, describe_sign_in,
};
