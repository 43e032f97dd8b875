package api

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// The data-request pages and email are rendered by the function, not the
// site build, so their few strings live here, per language, beside the code
// that uses them. Keys missing in a language fall back to English (a test
// checks that none is missing).

// requestSlugs are the site's data-request pages, the pages' "back" link.
var requestSlugs = map[string]string{"sq": "/sq/kerkesat/", "en": "/en/data-requests/", "sr": "/sr/zahtevi/"}

// Languages are the languages the function takes consent records and data
// requests in, and writes its pages and email in: those of requestText.
// Every language of the site must be one of them (site check says so).
func Languages() []string { return slices.Sorted(maps.Keys(requestText)) }

// languageList names Languages in an error message.
var languageList = strings.Join(Languages(), ", ")

// RequestsPage is the site's data-request page in lang, where the
// function's own pages lead back to ("" for a language it lacks).
func RequestsPage(lang string) string { return requestSlugs[lang] }

var requestText = map[string]map[string]string{
	"en": {
		"site":                    "xiaomistore-ks.com",
		"back":                    "Back to data requests",
		"type_access":             "A copy of my data",
		"type_rectify":            "Correct my data",
		"type_erase":              "Delete my data",
		"type_restrict":           "Restrict processing",
		"type_portability":        "Data portability",
		"type_object":             "Object to processing",
		"type_withdraw":           "Withdraw consent",
		"form_title":              "Your request was not sent",
		"form_type":               "What would you like?",
		"form_email":              "Your account's email",
		"form_details":            "Details (optional): name, order number, what to change",
		"form_website":            "Leave this field empty",
		"form_submit":             "Send request",
		"err_invalid_type":        "Choose the type of request.",
		"err_invalid_email":       "Enter one valid email address.",
		"err_invalid_email_ascii": "Write the email address without letters such as ë or č.",
		"err_invalid_details":     "The details may have at most 2,000 characters and no control characters.",
		"err_invalid":             "The form could not be read. Please fill it in again.",
		"err_too_large":           "The request is too long. Shorten the details to at most 2,000 characters.",
		"received_title":          "Request received",
		"received_ref":            "Your reference: %s. Keep it and quote it whenever you contact us about this request.",
		"received_email":          "We have sent you an email. Open the link in it and confirm the request: this tells us it comes from the owner of the address. If it does not arrive within a few minutes, check your spam folder.",
		"received_due":            "We answer within one month, by %s.",
		"received_due_any":        "We answer within one month.",
		"confirm_title":           "Confirm your request",
		"confirm_text":            "Confirm request %s: this tells us that it comes from the owner of the email address.",
		"confirm_button":          "Confirm request",
		"verified_title":          "Request confirmed",
		"verified_text":           "Thank you. Request %s is confirmed. We answer by %s.",
		"already_title":           "Already confirmed",
		"already_text":            "Request %s was already confirmed. Nothing else is needed from you.",
		"answered_title":          "Already answered",
		"answered_text":           "We have already answered request %s. If you have a question about our answer, contact us and quote this reference.",
		"closed_title":            "Link no longer valid",
		"closed_text":             "This link is no longer valid: request %s has been closed. If you have a question about it, contact us and quote this reference.",
		"invalid_title":           "Link not valid",
		"invalid_text":            "This confirmation link is wrong or has expired. Send a new request from the form, or contact us.",
		"rate_title":              "Too many requests",
		"rate_text":               "Too many requests came from this address. Please try again in an hour, or contact us directly.",
		"unavailable_title":       "Please try again",
		"unavailable_text":        "Your request could not be recorded just now. Please try again in a few minutes.",
		"mail_subject":            "Confirm your data request %s",
		"mail_hello":              "Hello,",
		"mail_received":           "we received a request about your personal data at xiaomistore-ks.com: %s (reference %s).",
		"mail_confirm":            "Please confirm it by opening this link within 7 days:",
		"mail_button":             "Confirm request",
		"mail_due":                "We answer within one month, by %s.",
		"mail_ignore":             "If you did not send this request, ignore this email: nothing will happen.",
	},
	"sq": {
		"site":                    "xiaomistore-ks.com",
		"back":                    "Kthehu te kërkesat për të dhënat",
		"type_access":             "Një kopje të të dhënave të mia",
		"type_rectify":            "Korrigjimin e të dhënave të mia",
		"type_erase":              "Fshirjen e të dhënave të mia",
		"type_restrict":           "Kufizimin e përpunimit",
		"type_portability":        "Transferueshmërinë e të dhënave",
		"type_object":             "Kundërshtimin e përpunimit",
		"type_withdraw":           "Tërheqjen e pëlqimit",
		"form_title":              "Kërkesa juaj nuk u dërgua",
		"form_type":               "Çfarë dëshironi?",
		"form_email":              "Email-i i llogarisë suaj",
		"form_details":            "Detaje (opsionale): emri, numri i porosisë, çfarë duhet ndryshuar",
		"form_website":            "Lëreni këtë fushë bosh",
		"form_submit":             "Dërgo kërkesën",
		"err_invalid_type":        "Zgjidhni llojin e kërkesës.",
		"err_invalid_email":       "Shkruani një adresë email të vlefshme.",
		"err_invalid_email_ascii": "Shkruani adresën email pa shkronja si ë apo ç.",
		"err_invalid_details":     "Detajet mund të kenë së shumti 2.000 shenja dhe asnjë shenjë kontrolli.",
		"err_invalid":             "Formulari nuk mund të lexohej. Ju lutemi plotësojeni përsëri.",
		"err_too_large":           "Kërkesa është shumë e gjatë. Shkurtoni detajet në së shumti 2.000 shenja.",
		"received_title":          "Kërkesa u pranua",
		"received_ref":            "Numri i referencës: %s. Ruajeni dhe përmendeni sa herë që na kontaktoni për këtë kërkesë.",
		"received_email":          "Ju kemi dërguar një email. Hapni lidhjen në të dhe konfirmoni kërkesën: kështu dimë se vjen nga pronari i adresës. Nëse nuk arrin brenda pak minutash, shikoni edhe dosjen e spam-it.",
		"received_due":            "Ju përgjigjemi brenda një muaji, deri më %s.",
		"received_due_any":        "Ju përgjigjemi brenda një muaji.",
		"confirm_title":           "Konfirmoni kërkesën tuaj",
		"confirm_text":            "Konfirmoni kërkesën %s: kështu dimë se vjen nga pronari i adresës email.",
		"confirm_button":          "Konfirmo kërkesën",
		"verified_title":          "Kërkesa u konfirmua",
		"verified_text":           "Faleminderit. Kërkesa %s u konfirmua. Ju përgjigjemi deri më %s.",
		"already_title":           "Tashmë e konfirmuar",
		"already_text":            "Kërkesa %s ishte konfirmuar tashmë. Nuk nevojitet asgjë tjetër nga ju.",
		"answered_title":          "Kërkesa ka marrë përgjigje",
		"answered_text":           "Kërkesës %s i jemi përgjigjur tashmë. Nëse keni pyetje për përgjigjen tonë, na kontaktoni dhe përmendni këtë numër reference.",
		"closed_title":            "Lidhja nuk është më e vlefshme",
		"closed_text":             "Kjo lidhje nuk është më e vlefshme: kërkesa %s është mbyllur. Nëse keni pyetje për të, na kontaktoni dhe përmendni këtë numër reference.",
		"invalid_title":           "Lidhja nuk është e vlefshme",
		"invalid_text":            "Kjo lidhje konfirmimi është e gabuar ose ka skaduar. Dërgoni një kërkesë të re nga formulari ose na kontaktoni.",
		"rate_title":              "Shumë kërkesa",
		"rate_text":               "Nga kjo adresë erdhën shumë kërkesa. Ju lutemi provoni përsëri pas një ore ose na kontaktoni drejtpërdrejt.",
		"unavailable_title":       "Ju lutemi provoni përsëri",
		"unavailable_text":        "Kërkesa juaj nuk mund të regjistrohej tani. Ju lutemi provoni përsëri pas pak minutash.",
		"mail_subject":            "Konfirmoni kërkesën tuaj për të dhënat %s",
		"mail_hello":              "Përshëndetje,",
		"mail_received":           "morëm një kërkesë për të dhënat tuaja personale në xiaomistore-ks.com: %s (referenca %s).",
		"mail_confirm":            "Ju lutemi konfirmojeni duke hapur këtë lidhje brenda 7 ditëve:",
		"mail_button":             "Konfirmo kërkesën",
		"mail_due":                "Ju përgjigjemi brenda një muaji, deri më %s.",
		"mail_ignore":             "Nëse nuk e keni dërguar ju këtë kërkesë, injorojeni këtë email: nuk do të ndodhë asgjë.",
	},
	"sr": {
		"site":                    "xiaomistore-ks.com",
		"back":                    "Nazad na zahteve za podatke",
		"type_access":             "Kopiju mojih podataka",
		"type_rectify":            "Ispravku mojih podataka",
		"type_erase":              "Brisanje mojih podataka",
		"type_restrict":           "Ograničenje obrade",
		"type_portability":        "Prenosivost podataka",
		"type_object":             "Prigovor na obradu",
		"type_withdraw":           "Povlačenje pristanka",
		"form_title":              "Vaš zahtev nije poslat",
		"form_type":               "Šta želite?",
		"form_email":              "Adresa e-pošte vašeg naloga",
		"form_details":            "Detalji (neobavezno): ime, broj porudžbine, šta treba promeniti",
		"form_website":            "Ostavite ovo polje prazno",
		"form_submit":             "Pošalji zahtev",
		"err_invalid_type":        "Izaberite vrstu zahteva.",
		"err_invalid_email":       "Unesite jednu ispravnu adresu e-pošte.",
		"err_invalid_email_ascii": "Napišite adresu e-pošte bez slova kao što su č ili š.",
		"err_invalid_details":     "Detalji mogu imati najviše 2.000 znakova i nijedan kontrolni znak.",
		"err_invalid":             "Obrazac nije mogao da se pročita. Molimo popunite ga ponovo.",
		"err_too_large":           "Zahtev je predugačak. Skratite detalje na najviše 2.000 znakova.",
		"received_title":          "Zahtev je primljen",
		"received_ref":            "Vaš broj reference: %s. Sačuvajte ga i navedite ga kad god nas kontaktirate u vezi s ovim zahtevom.",
		"received_email":          "Poslali smo vam e-poruku. Otvorite link u njemu i potvrdite zahtev: tako znamo da dolazi od vlasnika adrese. Ako ne stigne za nekoliko minuta, proverite i fasciklu za neželjenu poštu.",
		"received_due":            "Odgovaramo u roku od mesec dana, do %s.",
		"received_due_any":        "Odgovaramo u roku od mesec dana.",
		"confirm_title":           "Potvrdite svoj zahtev",
		"confirm_text":            "Potvrdite zahtev %s: tako znamo da dolazi od vlasnika adrese e-pošte.",
		"confirm_button":          "Potvrdi zahtev",
		"verified_title":          "Zahtev je potvrđen",
		"verified_text":           "Hvala. Zahtev %s je potvrđen. Odgovaramo do %s.",
		"already_title":           "Već potvrđeno",
		"already_text":            "Zahtev %s je već potvrđen. Od vas nije potrebno ništa više.",
		"answered_title":          "Već smo odgovorili",
		"answered_text":           "Na zahtev %s smo već odgovorili. Ako imate pitanje u vezi s našim odgovorom, kontaktirajte nas i navedite ovaj broj reference.",
		"closed_title":            "Link više nije važeći",
		"closed_text":             "Ovaj link više nije važeći: zahtev %s je zatvoren. Ako imate pitanje u vezi s njim, kontaktirajte nas i navedite ovaj broj reference.",
		"invalid_title":           "Link nije važeći",
		"invalid_text":            "Ovaj link za potvrdu je pogrešan ili je istekao. Pošaljite novi zahtev preko obrasca ili nas kontaktirajte.",
		"rate_title":              "Previše zahteva",
		"rate_text":               "Sa ove adrese je stiglo previše zahteva. Pokušajte ponovo za sat vremena ili nas kontaktirajte direktno.",
		"unavailable_title":       "Pokušajte ponovo",
		"unavailable_text":        "Vaš zahtev trenutno nije mogao da se zabeleži. Pokušajte ponovo za nekoliko minuta.",
		"mail_subject":            "Potvrdite svoj zahtev za podatke %s",
		"mail_hello":              "Zdravo,",
		"mail_received":           "primili smo zahtev u vezi s vašim ličnim podacima na xiaomistore-ks.com: %s (referenca %s).",
		"mail_confirm":            "Molimo potvrdite ga otvaranjem ovog linka u roku od 7 dana:",
		"mail_button":             "Potvrdi zahtev",
		"mail_due":                "Odgovaramo u roku od mesec dana, do %s.",
		"mail_ignore":             "Ako vi niste poslali ovaj zahtev, zanemarite ovu e-poruku: ništa se neće dogoditi.",
	},
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"sq": {"janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator", "tetor", "nëntor", "dhjetor"},
	"sr": {"januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar", "oktobar", "novembar", "decembar"},
}

// tr returns the string for key in lang, formatted with args when given.
func tr(lang, key string, args ...any) string {
	s, ok := requestText[lang][key]
	if !ok {
		s = requestText["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// longDate writes a date the way each language does: "25 December 2026",
// "25 dhjetor 2026", "25. decembar 2026.". Dates are shown in Kosovo time.
func longDate(lang string, t time.Time) string {
	t = t.In(Kosovo())
	m := monthNames[lang]
	if m[0] == "" {
		m = monthNames["en"]
	}
	if lang == "sr" {
		return fmt.Sprintf("%d. %s %d.", t.Day(), m[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// Kosovo is the store's time zone, in which visitors and staff are told
// dates: Central European, with summer time, as the IANA database records
// it for Europe/Belgrade (which Kosovo follows).
// The zone file is embedded (tz/, copied from tzdata 2025b; its closing
// rule covers the years to come): Lambda's provided.al2023 image has no
// zone database, where time.LoadLocation fails, and a fixed UTC+1 put a
// request made after 23:00 in summer on the wrong day.
var Kosovo = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocationFromTZData("Europe/Belgrade", belgrade)
	if err != nil {
		panic("the embedded zone file does not load: " + err.Error()) // TestKosovoTime loads it
	}
	return loc
})

//go:embed tz/Europe/Belgrade
var belgrade []byte
