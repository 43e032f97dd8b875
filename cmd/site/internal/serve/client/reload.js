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
        // The worker's account of a build older than this page's: the
        // reload event follows.
        if (m.replay && build !== null && m.build < build) return;
        // Served or last told of another build (it was loaded during a
        // rebuild, it did not follow for a while, or the server restarted),
        // or the site this error page stands for was fixed meanwhile.
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
      case "reload": {
        // Served this build already (the worker told of it late).
        const current = m.build === build;
        inStep(m.build);
        if (errorPage) {
          location.reload();
          return;
        }
        hideErrors();
        if (m.edited && m.edited !== here()) {
          location.assign(m.edited);
        } else if (!current && m.changed.includes(here())) {
          location.reload();
        }
      }
    }
  };

  // follow passes the server's events to on through the shared worker,
  // which holds one stream for every page (see reload-worker.js), or a
  // worker of the page's own where there are none (Chrome on Android), and
  // returns what stops it. A worker that fails to start (the server was
  // down) is started again a second later; one that neither fails nor
  // speaks within 5 seconds, too (a CI run once saw a page's retry join a
  // shared worker and hear nothing). A retry asks for a shared worker of
  // another name: a new one, not the one that failed or fell silent.
  const follow = (tries = 0) => {
    const url = "/_pelqim/reload-worker.js";
    const shared = typeof SharedWorker === "function";
    const w = shared ? new SharedWorker(url, tries ? "retry " + tries : "") : new Worker(url);
    const port = shared ? w.port : w;
    let retry = 0;
    const end = () => {
      clearTimeout(retry);
      port.postMessage("bye");
      if (shared) port.close();
      else w.terminate();
    };
    const again = (ms) => {
      clearTimeout(retry);
      retry = setTimeout(() => {
        if (stop === end) {
          end();
          stop = follow(tries + 1);
        }
      }, ms);
    };
    port.onmessage = (e) => {
      clearTimeout(retry);
      on(e.data.type, e.data.data);
    };
    w.addEventListener("error", () => again(1000));
    again(5000);
    return end;
  };

  // A page the editor does not see (a background tab, a page kept in the
  // back/forward cache) stops following; shown again, it follows again,
  // and the hello tells it whether it missed a build.
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
