// Live reload for `site serve`: only the preview adds this file to pages,
// as a script file, so they still run under the strict CSP.
//
// It follows the server's events: after a rebuild it reloads this page
// when its output changed, or goes to the page just edited; when a build
// fails it shows the errors over the page until they are fixed.
(() => {
  "use strict";
  const root = document.documentElement;
  const errorPage = root.hasAttribute("data-pelqim-error");
  let overlay = null;

  // build is the build this page is in step with: at first the one it was
  // served from, which the server names in a Server-Timing header.
  const served = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    const entry = nav && (nav.serverTiming || []).find((e) => e.name === "pelqim-build");
    return entry ? Number(entry.description) : null;
  };
  let build = served();
  const inStep = (b) => {
    build = b;
    root.dataset.pelqimBuild = String(b); // for tests and curious editors
  };

  // here is this page's address as the server names outputs: /en/x/ for
  // /en/x/index.html.
  const here = () => location.pathname.replace(/\/index\.html$/, "/");

  const showErrors = (errors) => {
    if (!document.querySelector("link[data-pelqim]")) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = "/_pelqim/reload.css";
      css.dataset.pelqim = "";
      document.head.append(css);
    }
    hideErrors();
    overlay = document.createElement("div");
    overlay.className = "pelqim-overlay";
    overlay.setAttribute("role", "alert");
    const title = document.createElement("p");
    title.className = "pelqim-title";
    title.textContent = "The site did not build. The last good version is shown until this is fixed:";
    const list = document.createElement("pre");
    list.className = "pelqim-errors";
    list.textContent = errors.join("\n");
    overlay.append(title, list);
    document.body.append(overlay);
  };

  const hideErrors = () => {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  };

  // on handles the server's events.
  const on = (type, m) => {
    switch (type) {
      case "hello":
        // Served or last told of an older build (it was loaded during a
        // rebuild, or its stream was down), or the site this error page
        // stands for was fixed meanwhile.
        if ((build !== null && m.build !== build) || (errorPage && !m.broken)) {
          location.reload();
          return;
        }
        inStep(m.build);
        if (!m.broken) hideErrors();
        break;
      case "broken":
        if (!errorPage) showErrors(m.errors);
        break;
      case "reload":
        inStep(m.build);
        if (errorPage) {
          location.reload();
          return;
        }
        hideErrors();
        if (m.edited && m.edited !== here()) {
          location.assign(m.edited);
        } else if (m.changed.includes(here())) {
          location.reload();
        }
    }
  };

  // follow passes the server's events to on, and returns what stops it.
  // The events come through a shared worker, which holds one stream for
  // every page: Chromium allows six connections to a server, and a stream
  // per page would leave none to a seventh window, which would wait
  // forever. Where there are no shared workers (Chrome on Android), the
  // page runs the same script as a worker of its own.
  const follow = () => {
    const url = "/_pelqim/reload-worker.js";
    const shared = typeof SharedWorker === "function";
    const worker = shared ? new SharedWorker(url).port : new Worker(url);
    worker.onmessage = (e) => on(e.data.type, e.data.data);
    return () => {
      worker.postMessage("bye");
      if (shared) worker.close();
      else worker.terminate();
    };
  };

  // A page the editor does not see (a background tab, a page kept in the
  // back/forward cache) stops following; shown again, it follows again,
  // and the hello tells it whether it missed a build. Without a shared
  // worker, its own stream would otherwise hold one of the six connections.
  let stop = null;
  const hide = () => {
    if (stop) stop();
    stop = null;
  };
  const show = () => {
    if (!stop) stop = follow();
  };
  addEventListener("pagehide", hide);
  addEventListener("pageshow", (e) => e.persisted && show());
  document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? hide() : show()));
  if (document.visibilityState !== "hidden") show();
})();
