// A stand-in for Google's gtag.js: it sets GA4's cookies as gtag.js does
// (_ga for the whole domain, _ga_<id> here for the host alone), reads the
// Consent Mode calls made before it, and pushes to dataLayer.
(window.order = window.order || []).push("ga.js")
window.gaSawConsent = (window.dataLayer || []).filter(a => a[0] == "consent").map(a => a[1]).join()
document.cookie = "_ga=GA1.1.1.1;Path=/;Max-Age=3600;Domain=" + location.hostname.split(".").slice(-2).join(".")
document.cookie = "_ga_TEST=GS1.1.1;Path=/;Max-Age=3600"
dataLayer.push({ event: "gtm.js" })
