package bench

// lang is what the corpus needs to know about one language: its code, the
// prefixes of its page slugs and section anchors, and words to write with.
// The words carry the language's real letters (ë, ç, š, đ, ž …) so that the
// generators handle the same UTF-8 as on the real site.
type lang struct {
	code    string
	slug    string // page slug prefix: faqja-00042
	anchor  string // section anchor prefix: #seksioni-3
	home    string // title of the home page
	section string // word before a heading number
	words   []string
}

// langs are the site's languages, the default (source) language first.
var langs = []lang{
	{
		code: "sq", slug: "faqja", anchor: "seksioni", home: "Privatësia dhe pëlqimi", section: "Neni",
		words: []string{
			"të", "dhënat", "personale", "përpunimi", "pëlqimi", "dyqani", "klienti", "ligji",
			"për", "mbrojtjen", "e", "privatësisë", "ne", "mbledhim", "përdorim", "ruajmë",
			"qëllimi", "kontrata", "porosia", "dërgesa", "adresa", "emri", "telefoni", "email",
			"cookie", "shfletuesi", "faqja", "përdoruesi", "të drejtat", "kërkesa", "fshirja",
			"korrigjimi", "qasja", "transferimi", "pala e tretë", "ofruesi", "siguria", "masat",
			"teknike", "organizative", "afati", "ruajtjes", "vjet", "muaj", "Kosovë", "Prishtinë",
			"çdo", "kur", "nëse", "ose", "dhe", "si", "që", "nga", "në", "me", "pa", "deri",
		},
	},
	{
		code: "en", slug: "page", anchor: "section", home: "Privacy and consent", section: "Article",
		words: []string{
			"the", "personal", "data", "processing", "consent", "store", "customer", "law",
			"for", "protection", "of", "privacy", "we", "collect", "use", "keep",
			"purpose", "contract", "order", "delivery", "address", "name", "phone", "email",
			"cookie", "browser", "page", "user", "rights", "request", "erasure",
			"rectification", "access", "transfer", "third party", "provider", "security", "measures",
			"technical", "organisational", "period", "retention", "years", "months", "Kosovo", "Prishtina",
			"every", "when", "if", "or", "and", "as", "that", "from", "in", "with", "without", "until",
		},
	},
	{
		code: "sr", slug: "strana", anchor: "odeljak", home: "Privatnost i saglasnost", section: "Član",
		words: []string{
			"lični", "podaci", "obrada", "saglasnost", "prodavnica", "kupac", "zakon",
			"za", "zaštitu", "privatnosti", "mi", "prikupljamo", "koristimo", "čuvamo",
			"svrha", "ugovor", "porudžbina", "isporuka", "adresa", "ime", "telefon", "email",
			"kolačić", "pregledač", "stranica", "korisnik", "prava", "zahtev", "brisanje",
			"ispravka", "pristup", "prenos", "treća strana", "dobavljač", "bezbednost", "mere",
			"tehničke", "organizacione", "rok", "čuvanja", "godina", "meseci", "Kosovo", "Priština",
			"svaki", "kada", "ako", "ili", "i", "kao", "što", "od", "u", "sa", "bez", "do", "đak", "žalba",
		},
	},
}
