// the shop's tag
self.pelqimE={};
