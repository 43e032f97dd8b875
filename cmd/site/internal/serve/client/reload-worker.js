// The preview's event stream, shared by every open page of a browser:
// Chromium allows six connections to a server, and a stream per page left
// none for a seventh window. reload.js starts this worker; the worker
// holds the one stream and passes its events to every page, and to a page
// that joins later the state so far, as the server's hello would. Where
// there are no shared workers (Chrome on Android), each page runs it as a
// worker of its own.
"use strict";
const pages = new Set();
let build = null; // the last build the server told of, while it is known
let broken = null; // its errors while the site does not build
let events = null;

const post = (page, type, data) => page.postMessage({ type, data });
const postAll = (type, data) => pages.forEach((page) => post(page, type, data));

const connect = () => {
  const es = new EventSource("/_pelqim/events");
  events = es;
  es.addEventListener("error", () => {
    // Until the next hello, the state is unknown: a page that joins now
    // may come from a restarted server, whose builds count anew.
    if (es === events) build = null;
    // The browser retries a dropped stream by itself, but gives up on some
    // failures (a refused request): then try again a little later.
    if (es === events && es.readyState === EventSource.CLOSED) {
      setTimeout(() => es === events && connect(), 1000);
    }
  });
  es.addEventListener("hello", (e) => {
    const m = JSON.parse(e.data);
    build = m.build;
    if (!m.broken) broken = null;
    postAll("hello", m);
  });
  es.addEventListener("broken", (e) => {
    broken = JSON.parse(e.data).errors;
    postAll("broken", { errors: broken });
  });
  es.addEventListener("reload", (e) => {
    const m = JSON.parse(e.data);
    build = m.build;
    broken = null;
    postAll("reload", m);
  });
};

const join = (page) => {
  pages.add(page);
  page.onmessage = (m) => {
    if (m.data === "bye") {
      pages.delete(page);
      if (pages.size === 0 && events) {
        events.close();
        events = null;
      }
    }
  };
  if (!events) connect();
  else if (build !== null) {
    post(page, "hello", { build, broken: broken !== null });
    if (broken) post(page, "broken", { errors: broken });
  }
};

if ("onconnect" in self) onconnect = (e) => join(e.ports[0]);
else join(self);
