// A stand-in for Meta's fbevents.js: it defines fbq and sets _fbp.
(window.order = window.order || []).push("pixel.js")
window.fbq = function () { (fbq.queue = fbq.queue || []).push(arguments) }
document.cookie = "_fbp=fb.1.1;Path=/;Max-Age=3600"
