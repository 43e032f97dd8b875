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

  // connect follows the event stream. The browser retries a dropped
  // stream by itself, but gives up on some failures (a refused or blocked
  // request): then try again a little later, for as long as the page is open.
  let events = null; // the current stream
  const connect = () => {
    const es = new EventSource("/_pelqim/events");
    events = es;
    es.addEventListener("error", () => {
      if (es === events && es.readyState === EventSource.CLOSED && !hidden) {
        setTimeout(() => es === events && !hidden && connect(), 1000);
      }
    });
    es.addEventListener("hello", (e) => {
      const m = JSON.parse(e.data);
      // Served or last told of an older build (it was loaded during a
      // rebuild, or its stream was down), or the site this error page stands
      // for was fixed meanwhile.
      if ((build !== null && m.build !== build) || (errorPage && !m.broken)) {
        location.reload();
        return;
      }
      inStep(m.build);
      if (!m.broken) hideErrors();
    });
    es.addEventListener("broken", (e) => {
      if (!errorPage) showErrors(JSON.parse(e.data).errors);
    });
    es.addEventListener("reload", (e) => {
      const m = JSON.parse(e.data);
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
    });
  };
  // A page the editor does not see (a background tab, a page kept in the
  // back/forward cache) closes its stream: Chromium allows six connections
  // to a server, and six open streams would leave none for the next page,
  // which would wait forever. Shown again, the page reconnects, and the
  // hello tells it whether it missed a build.
  let hidden = false;
  const hide = () => {
    hidden = true;
    if (events) events.close();
    events = null;
  };
  const show = () => {
    if (!hidden) return;
    hidden = false;
    connect();
  };
  addEventListener("pagehide", hide);
  addEventListener("pageshow", (e) => e.persisted && show());
  document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? hide() : show()));
  if (document.visibilityState === "hidden") hidden = true;
  else connect();
})();
