//! Messages in English and Chinese (zh-CN), picked from the browser's
//! language and switchable in the page.
//!
//! A text that must follow a switch is `{move || i18n.t(..)}`, a reactive
//! view of its own, where the view around it is drawn once. Inside a view
//! that is drawn again and again (a card's contents, an error, what a
//! `Show` shows) it is plain `{i18n.t(..)}`: the view around it tracks the
//! language already. A reactive view made there would be dropped at the
//! next redraw but stay subscribed to the language signal for good
//! (reactive_graph 0.2 never unsubscribes a dropped render effect), and
//! with it its allocation: the dashboard's "reload all" leaked twelve a
//! click that way.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use silent_refresh_web::storage;

/// The storage key of the chosen language.
const LOCALE_KEY: &str = "silent-refresh.locale";

/// The languages the app speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Locale {
    /// Every locale, in the order the language switch lists them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The locale for a BCP 47 tag such as `navigator.language`: Chinese for
    /// any `zh` tag, English otherwise.
    pub fn from_tag(tag: &str) -> Self {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Self::ZhCn
        } else {
            Self::En
        }
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// What `Accept-Language` says, so that the server answers in the
    /// page's language: Chinese as ABP names it (`zh-Hans`), then the
    /// browser's tag and the bare language for other servers.
    pub fn accept_language(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-Hans, zh-CN;q=0.9, zh;q=0.8",
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::ZhCn => "中文",
        }
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// Every message the app shows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg {
            $(
                #[doc = $en]
                $key,
            )*
        }

        /// Every message in each [`Locale`], in the order of [`Msg`]: read
        /// by index, where a `match` on message and locale compiled to a
        /// jump table with two string constants per message.
        const TEXTS: [[&str; Locale::ALL.len()]; [$($en),*].len()] = [$([$en, $zh]),*];
        // Each row is English, then Chinese: the locales' own numbers.
        const _: () = assert!(Locale::En as usize == 0 && Locale::ZhCn as usize == 1);

        impl Msg {
            /// The message in `locale`.
            pub fn text(self, locale: Locale) -> &'static str {
                TEXTS[self as usize][locale as usize]
            }
        }
    };
}

messages! {
    AppTitle => "Silent Refresh Admin", "静默刷新管理后台";
    SignInTitle => "Sign in to your account", "登录您的账户";
    UserName => "User name", "用户名";
    Password => "Password", "密码";
    SignIn => "Sign in", "登录";
    SigningIn => "Signing in…", "正在登录…";
    DemoAccounts => "Demo accounts:", "演示账户：";
    DemoTenant => "tenant", "租户";
    DemoTwoFactor => "with an authenticator code", "需验证器代码";
    Tenant => "Tenant", "租户";
    TenantHint => "Leave empty to sign in to the host.", "留空则登录主机。";
    TenantNotFound => "There is no tenant named {}.", "不存在名为 {} 的租户。";
    TenantInactive => "The tenant {} is not active.", "租户 {} 未启用。";
    TwoFactorCode => "Authenticator code", "验证器代码";
    TwoFactorNeeded => "This account signs in with a second factor: enter the code your authenticator app shows.", "此账户需要第二重验证：请输入验证器应用显示的代码。";
    ClientNotAccepted => "The server does not accept this app's client id ({}). This is a configuration error: ask whoever deployed the app.", "服务器不接受本应用的客户端 ID（{}）。这是配置错误，请联系部署本应用的人员。";
    NoRefreshTokenGiven => "The server gave no refresh token, so the session could not be kept. This is a configuration error (the client needs the offline_access scope).", "服务器未提供刷新令牌，无法保持会话。这是配置错误（客户端需要 offline_access 范围）。";
    DeploymentBroken => "This deployment cannot start", "此部署无法启动";
    DeploymentBrokenBody => "The deployment file {} has a setting the app cannot use:", "部署文件 {} 中有应用无法使用的设置：";
    PreviousPage => "Previous", "上一页";
    NextPage => "Next", "下一页";
    PageOf => "Users {} of {}", "用户 {}，共 {}";
    SessionExpired => "Your session has expired. Please log in again.", "登录已过期，请重新登录。";
    SignInWith => "Sign in with {}", "通过 {} 登录";
    ProviderHint => "You will sign in on your identity provider's page and come back here.", "您将在身份提供方的页面登录，然后返回此处。";
    CompletingSignIn => "Completing the sign-in…", "正在完成登录…";
    ProviderUnreachable => "The identity provider cannot be used right now", "暂时无法使用身份提供方";
    SignInRefused => "The identity provider refused the sign-in", "身份提供方拒绝了登录";
    SignInReplayed => "This sign-in answer was used already or has expired. Please sign in again.", "此登录响应已被使用或已过期，请重新登录。";
    SignInMismatch => "The sign-in answer does not belong to this sign-in. Please sign in again.", "登录响应不属于本次登录，请重新登录。";
    SignInFailed => "The sign-in could not be completed", "无法完成登录";
    Dashboard => "Dashboard", "仪表盘";
    Reports => "Reports", "报表";
    AdminUsers => "Users & roles", "用户与角色";
    Profile => "Profile", "个人资料";
    Diagnostics => "Diagnostics", "诊断";
    Logout => "Log out", "退出登录";
    Language => "Language", "语言";
    OpenMenu => "Menu", "菜单";
    ReloadAll => "Reload all", "全部刷新";
    Loading => "Loading…", "加载中…";
    Retry => "Try again", "重试";
    PageNotLoaded => "This page could not be loaded. Check the connection and try again.", "无法加载此页面，请检查网络连接后重试。";
    TemporarilyUnavailable => "Temporarily unavailable. Please try again shortly.", "服务暂时不可用，请稍后重试。";
    NetworkError => "The server could not be reached.", "无法连接服务器。";
    TimedOut => "The server did not answer in time.", "服务器响应超时。";
    BadResponse => "The server sent a response that could not be read.", "服务器返回了无法识别的响应。";
    InvalidCredentials => "Invalid username or password!", "用户名或密码错误！";
    TooManyAttempts => "Too many attempts. Please wait a minute and try again.", "尝试次数过多，请稍等一分钟再试。";
    LastAdmin => "The last administrator cannot lose the admin role.", "不能移除最后一位管理员的管理员角色。";
    ServerError => "The server ran into an error. Please try again.", "服务器出错，请重试。";
    RequestFailed => "The request failed.", "请求失败。";
    NoLongerAccess => "You no longer have access to this.", "您已无权访问此内容。";
    RecheckPermissions => "Re-check permissions", "重新检查权限";
    Rechecking => "Checking…", "正在检查…";
    ForbiddenTitle => "403 · Access denied", "403 · 无权访问";
    ForbiddenBody => "Your account does not have the permission this page needs.", "您的账户没有访问此页面所需的权限。";
    NotFoundTitle => "404 · Page not found", "404 · 页面不存在";
    NotFoundBody => "There is nothing at this address.", "此地址没有内容。";
    BackToStart => "Back to the start page", "返回首页";
    CheckingPermissions => "Checking your permissions…", "正在检查权限…";
    RolesStale => "Your permissions could not be refreshed; the last known ones are shown.", "无法刷新权限，当前显示的是上次的权限。";
    Session => "Session", "会话";
    ExpiresIn => "Access token expires in", "访问令牌剩余有效期";
    Expired => "expired", "已过期";
    SecondsUnit => " s", " 秒";
    SilentRefreshes => "Silent refreshes", "静默刷新次数";
    CallsWaiting => "Calls waiting", "等待中的请求";
    NextRefreshIn => "Next refresh in", "下次刷新";
    OfflineReconnecting => "Offline — reconnecting.", "离线 — 正在重新连接。";
    NextTryIn => "Next try in", "下次重试";
    SessionEndsIn => "Session ends in", "会话结束于";
    Connection => "Connection", "连接";
    Connected => "connected", "已连接";
    FailedRefreshes => "failed refreshes", "刷新失败";
    UnauthorizedSeen => "401 answers", "401 响应";
    Refreshing => "Refreshing…", "正在刷新…";
    Summary => "Summary", "概览";
    Users => "Users", "用户数";
    ActiveSessions => "Active sessions", "活跃会话";
    Revenue => "Revenue", "收入";
    Orders => "Recent orders", "最近订单";
    Notifications => "Notifications", "通知";
    Activity => "Activity", "动态";
    SystemHealth => "System health", "系统状态";
    Status => "Status", "状态";
    Uptime => "Uptime", "运行时间";
    Version => "Version", "版本";
    Roles => "Roles", "角色";
    Email => "E-mail", "电子邮件";
    Policies => "Granted policies", "已授予的权限";
    Saving => "Saving…", "正在保存…";
    BurstTitle => "Concurrent call burst", "并发请求测试";
    BurstHelp => "Fires this many API calls at once and measures them. Run it right after the access token expires to watch a single refresh serve them all.", "同时发出指定数量的 API 请求并计时。在访问令牌过期后运行，可观察到一次刷新即可服务全部请求。";
    BurstSize => "Calls", "请求数";
    BurstRun => "Fire burst", "开始测试";
    BurstSizeInvalid => "Enter a number of calls from 1 to 5000.", "请输入 1 到 5000 之间的请求数。";
    BurstRunning => "Running…", "运行中…";
    BurstFailed => "Failed", "失败";
    BurstRefreshes => "Refreshes", "刷新次数";
    BurstMedian => "Median", "中位数";
    BurstP99 => "p99", "p99";
    TimelineTitle => "Session timeline", "会话时间线";
    TimelineHelp => "What the session layer did lately. Hover over or focus a mark to read it; the arrow keys move between marks, and the picture holds still meanwhile.", "会话层最近的活动。将鼠标悬停在标记上或聚焦标记即可查看详情；方向键可在标记之间移动，查看时画面保持不动。";
    TimelineZoom => "Time span", "时间范围";
    TimelineMinutes => " min", " 分钟";
    TimelineDownload => "Download events (JSON)", "下载事件（JSON）";
    TimelineLink => "Session timeline", "会话时间线";
    TimelineShowing => "Last", "最近";
    LaneTokens => "Access tokens", "访问令牌";
    LaneRefreshes => "Refreshes", "刷新";
    LaneAnswers => "401 / 403", "401 / 403";
    LaneWaiting => "Calls waiting", "等待的请求";
    EvToken => "Access token", "访问令牌";
    SrcLogin => "from a login in this tab", "来自本标签页的登录";
    SrcRefresh => "from a refresh in this tab", "来自本标签页的刷新";
    SrcOtherTab => "from another tab", "来自其他标签页";
    SrcRestored => "kept from before the page loaded", "页面加载前已保存";
    EvRefresh => "Refresh", "刷新";
    TrigProactive => "proactive", "主动";
    TrigUnauthorized => "after a 401", "因 401 触发";
    TrigExpired => "for an expired token", "因令牌过期触发";
    TabThis => "this tab", "本标签页";
    TabOther => "another tab", "其他标签页";
    OutRefreshed => "new tokens", "已获得新令牌";
    OutFailed => "failed, the session is kept", "失败，会话保留";
    OutEnded => "refused, the session ended", "被拒绝，会话结束";
    OutInFlight => "in flight", "进行中";
    Ev401 => "401 Unauthorized", "401 未授权";
    Ev403 => "403 Forbidden", "403 禁止访问";
    EvBackoff => "Back-off after failed refreshes", "刷新失败后的退避";
    EvOffline => "Offline", "离线";
    EvRoles => "Roles and permissions fetched", "已获取角色与权限";
    RolesCurrent => "current", "最新";
    RolesKept => "failed, the stored roles are kept", "失败，保留已存角色";
    RolesDropped => "dropped", "已丢弃";
    EvLogin => "Login", "登录";
    EvLogout => "Logout", "退出登录";
    ReasonThisTab => "in this tab", "在本标签页";
    ReasonOtherTab => "in another tab", "在其他标签页";
    ReasonExpired => "the session expired", "会话已过期";
}

/// The current locale as a signal. `Copy`; provided through context and read
/// back with [`use_i18n`].
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The stored choice, else the browser's language, else English.
    pub fn from_browser() -> Self {
        let locale = storage::load(LOCALE_KEY, |_: &Locale| true).unwrap_or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .map(|tag| Locale::from_tag(&tag))
                .unwrap_or_default()
        });
        set_document_lang(locale);
        Self {
            locale: RwSignal::new(locale),
        }
    }

    /// The current locale (tracked).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The current locale, without tracking (a request leaving).
    pub fn locale_untracked(&self) -> Locale {
        self.locale.get_untracked()
    }

    /// `msg` in the current locale (tracked).
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.locale.get())
    }

    /// Switches the language and remembers the choice.
    pub fn set_locale(&self, locale: Locale) {
        storage::save(LOCALE_KEY, &locale);
        set_document_lang(locale);
        self.locale.set(locale);
    }
}

/// Puts the language on `<html lang>` and the title in that language.
fn set_document_lang(locale: Locale) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    document.set_title(Msg::AppTitle.text(locale));
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", locale.tag());
    }
}

/// The [`I18n`] provided by the app.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_chinese_tag_is_chinese_and_anything_else_english() {
        for tag in ["zh", "zh-CN", "zh-TW", "ZH_cn"] {
            assert_eq!(Locale::from_tag(tag), Locale::ZhCn, "{tag}");
        }
        for tag in ["en", "en-US", "de-DE", "", "zhx"] {
            assert_eq!(Locale::from_tag(tag), Locale::En, "{tag}");
        }
    }

    #[test]
    fn the_session_expired_message_exists_in_both_languages() {
        assert_eq!(
            Msg::SessionExpired.text(Locale::En),
            "Your session has expired. Please log in again."
        );
        assert_eq!(
            Msg::SessionExpired.text(Locale::ZhCn),
            "登录已过期，请重新登录。"
        );
    }
}
