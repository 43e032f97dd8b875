// The preview's event stream, shared by every open page of a browser:
// Chromium allows six connections to a server, and a stream per page left
// none for a seventh window. reload.js starts this worker; the worker
// holds the one stream and passes its events to every page, and to a page
// that joins later the state so far, as the server's hello would. Where
// there are no shared workers (Chrome on Android), each page runs it as a
// worker of its own.
"use strict";
const pages = new Set();
// state is what the server last said, while the stream is up: its build,
// whether the site is broken, and the errors, once told.
let state = null;
let events = null;

const post = (page, type, data) => page.postMessage({ type, data });
const postAll = (type, data) => pages.forEach((page) => post(page, type, data));

const connect = () => {
  const es = new EventSource("/_pelqim/events");
  events = es;
  state = null; // until this stream's hello
  es.addEventListener("error", () => {
    // Until the next hello, the state is unknown: a page that joins now
    // may come from a restarted server, whose builds count anew.
    if (es === events) state = null;
    // The browser retries a dropped stream by itself, but gives up on some
    // failures (a refused request): then try again a little later.
    if (es === events && es.readyState === EventSource.CLOSED) {
      setTimeout(() => es === events && connect(), 1000);
    }
  });
  es.addEventListener("hello", (e) => {
    const m = JSON.parse(e.data);
    state = { build: m.build, broken: m.broken, errors: null };
    postAll("hello", m);
  });
  es.addEventListener("broken", (e) => {
    const m = JSON.parse(e.data);
    if (state) state = { ...state, broken: true, errors: m.errors };
    postAll("broken", m);
  });
  es.addEventListener("reload", (e) => {
    const m = JSON.parse(e.data);
    state = { build: m.build, broken: false, errors: null };
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
      // A worker started on a retry (reload.js names it) ends when its
      // last page leaves; the others stay for the next page.
      if (pages.size === 0 && self.name) close();
    }
  };
  if (!events) connect();
  else if (state) {
    // A replay may lag behind the build the page was served: the server
    // counts a build before the worker hears of it.
    post(page, "hello", { build: state.build, broken: state.broken, replay: true });
    if (state.errors) post(page, "broken", { errors: state.errors });
  }
};

if ("onconnect" in self) onconnect = (e) => join(e.ports[0]);
else join(self);
