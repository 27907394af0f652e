//! A page whose code arrives in a chunk of its own, fetched the first time
//! the page is visited: a loading note meanwhile, and words with *Try again*
//! when the chunk cannot be fetched (never a blank page).

use std::{future::Future, pin::Pin};

use leptos::{prelude::*, task::spawn_local, wasm_split::SplitLoaderError};

use crate::i18n::{Msg, use_i18n};

/// Builds a page: a function in the page's chunk, called once the chunk is
/// in, inside the view that shows the page (so the page belongs to that
/// view, as if it were not split off).
pub type BuildPage = fn() -> AnyView;

/// The future of a page's chunk.
pub type PageFuture = Pin<Box<dyn Future<Output = Result<BuildPage, SplitLoaderError>>>>;

/// Fetches a page's chunk (once; a failed fetch is tried afresh next time).
pub type LoadPage = fn() -> PageFuture;

/// Where a page's chunk is.
#[derive(Clone, Copy)]
enum Chunk {
    Loading,
    Ready(BuildPage),
    Failed,
}

/// The page `load` builds, once its chunk is in.
#[component]
pub fn PageChunk(load: LoadPage) -> impl IntoView {
    let i18n = use_i18n();
    let chunk = RwSignal::new(Chunk::Loading);
    let fetch = move || {
        spawn_local(async move {
            let next = match load().await {
                Ok(build) => Chunk::Ready(build),
                Err(_) => Chunk::Failed,
            };
            // The page may have been left meanwhile.
            chunk.try_set(next);
        });
    };
    fetch();
    // Redrawn on each change of the chunk (and of the language, which its
    // plain texts track), so its texts are plain: see `crate::i18n`.
    move || match chunk.get() {
        Chunk::Loading => view! {
            <p class="loading" role="status" data-testid="page-loading">
                {i18n.t(Msg::Loading)}
            </p>
        }
        .into_any(),
        Chunk::Ready(build) => build(),
        Chunk::Failed => view! {
            <div class="error" role="alert" data-testid="page-chunk-error">
                <span>{i18n.t(Msg::PageNotLoaded)}</span>
                <button
                    type="button"
                    class="link"
                    data-testid="retry"
                    on:click=move |_| {
                        chunk.set(Chunk::Loading);
                        fetch();
                    }
                >
                    {i18n.t(Msg::Retry)}
                </button>
            </div>
        }
        .into_any(),
    }
}
