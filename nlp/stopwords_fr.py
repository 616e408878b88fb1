"""French stop words (accent-folded) for keyword extraction and the TF-IDF baseline.

A hand-checked union of the usual French function words (articles, pronouns,
prepositions, conjunctions, auxiliaries and their common forms) and of words that
carry no topic in answers to a consultation ("faut", "faire", "oui", "non"...).
All entries are lower-case and accent-folded (see :func:`nlp.labelling.fold`).
"""

from __future__ import annotations

_WORDS = """
a ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais
aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles auxquels
avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons bah beaucoup
bien bon c ca car ce ceci cela celle celles celui cependant certain certaine certaines
certains ces cet cette ceux chacun chacune chaque chez ci comme comment contre d dans de
dedans dehors deja depuis des desquelles desquels dessous dessus deux doit doivent donc dont
du duquel durant e elle elles en encore entre es est et etaient etais etait etant etc ete
etes etiez etions etre eu eue eues eurent eus eusse eussent eusses eussiez eussions eut eux
faire fais fait faite faites faut fois font furent fus fusse fussent fut hors ici il ils j
jamais je jusqu jusque l la laquelle le lequel les lesquelles lesquels leur leurs lors lui m
ma mais me meme memes mes moi moins mon n ne ni non nos notre nous on ont ou oui par parce
pas peu peut peuvent plupart plus plusieurs pour pourquoi pourrait quand que quel quelle
quelles quelque quelques quels qu qui quoi s sa sans se sera serai seraient serais serait
seras serez seriez serions serons seront ses si sien sienne siennes siens soi soient sois
soit sommes son sont sous soyez soyons suis sur t ta tandis te tel telle telles tels tes
toi ton tous tout toute toutes tres trop tu un une unes uns va vais vont vos votre vous vu
y etc. ya faudrait doit devrait devraient peut-etre cest ils elles etre avoir fait faire
chose choses rien tout tous toutes ainsi afin donc deja surtout egalement notamment
"""

FRENCH_STOP_WORDS_FOLDED: frozenset[str] = frozenset(_WORDS.split())
