"""Name pools for the synthetic country, with the nicknames and transliterations agencies hold.

Given and family names come from Faker's ``sv_SE`` locale, with its real frequencies, so common
names are common and term-frequency adjustments have something to learn. Newcomers carry names
written in another script at home; the register writes them one way and passports another.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker

LOCALE = "sv_SE"

# Formal given name -> the short forms people give to agencies that do not check papers.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Lars": ("Lasse",), "Per": ("Pelle", "Pär"), "Karl": ("Kalle",), "Carl": ("Calle", "Kalle"),
    "Mikael": ("Micke",), "Michael": ("Micke",), "Magnus": ("Mange",), "Fredrik": ("Fredde",),
    "Thomas": ("Tompa", "Tomas"), "Joakim": ("Jocke",), "Kristoffer": ("Krille",),
    "Christoffer": ("Krille",), "Wilhelm": ("Wille", "Ville"), "Vilhelm": ("Ville",),
    "Olof": ("Olle",), "Robert": ("Robban",), "Daniel": ("Danne",), "Patrik": ("Patte",),
    "Jonas": ("Jonte",), "Stefan": ("Steffe",), "Niklas": ("Nicke",), "Tobias": ("Tobbe",),
    "Torbjörn": ("Tobbe",), "Henrik": ("Henke",), "Kenneth": ("Kenta",), "Jan": ("Janne",),
    "Bengt": ("Bengan",), "Sebastian": ("Sebbe",), "Alexander": ("Alex",), "Samuel": ("Sam",),
    "Benjamin": ("Ben",), "Emanuel": ("Manne",), "Viktor": ("Vicke",), "Hans": ("Hasse",),
    "Mattias": ("Matte",), "Filip": ("Fille",), "Gustav": ("Gurra", "Gösta"), "Sigvard": ("Sigge",),
    "Katarina": ("Kattis",), "Kristina": ("Kicki", "Stina"), "Christina": ("Kicki", "Stina"),
    "Elisabeth": ("Lisa", "Betty"), "Elisabet": ("Lisa",), "Margareta": ("Maggan", "Greta"),
    "Charlotte": ("Lotta",), "Charlotta": ("Lotta",), "Susanne": ("Sussie",), "Cecilia": ("Cissi",),
    "Birgitta": ("Gittan", "Britta"), "Madeleine": ("Madde",), "Louise": ("Lollo",),
    "Alexandra": ("Sandra", "Alex"), "Rebecka": ("Becka",), "Viktoria": ("Vicky",),
    "Johanna": ("Hanna",), "Matilda": ("Tilda",), "Mathilda": ("Tilda",), "Gabriella": ("Gabbi",),
    "Ingegerd": ("Inga",), "Josefin": ("Jossan",), "Jessica": ("Jessi",), "Annika": ("Annie",),
}

# Register spelling -> spellings found in passports and older papers.
TRANSLITERATIONS: dict[str, tuple[str, ...]] = {
    # given names, male
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad"), "Ahmed": ("Ahmad", "Achmed"),
    "Mahmoud": ("Mahmud", "Mahmood"), "Jusuf": ("Yusuf", "Youssef"), "Omar": ("Umar", "Omer"),
    "Hassan": ("Hasan",), "Ibrahim": ("Ebrahim", "Ibragim"), "Khaled": ("Khalid", "Chaled"),
    "Mustafa": ("Mostafa", "Moustafa"), "Abdullah": ("Abdallah", "Abdulla"),
    "Aleksandr": ("Alexander", "Oleksandr"), "Dmitrij": ("Dmitri", "Dmytro"),
    "Sergej": ("Sergei", "Serhii"), "Jurij": ("Yuri", "Iurii"), "Andrej": ("Andrei", "Andrii"),
    "Nikolaj": ("Nikolai", "Mykola"), "Michail": ("Mikhail", "Mykhailo"),
    # given names, female
    "Fatima": ("Fatma", "Fatimah"), "Aisha": ("Aysha", "Ayesha"), "Maryam": ("Mariam", "Meryem"),
    "Zainab": ("Zaynab", "Zeinab"), "Khadija": ("Khadidja", "Hadija"), "Amina": ("Aminah", "Emina"),
    "Leila": ("Layla", "Laila"), "Jekaterina": ("Ekaterina", "Yekaterina"),
    "Natalja": ("Natalia", "Nataliya"), "Julija": ("Yulia", "Iuliia"), "Tatjana": ("Tatiana", "Tetiana"),
    "Svetlana": ("Swetlana", "Svitlana"), "Irina": ("Iryna", "Irena"), "Anastasija": ("Anastasia",),
    # family names
    "Hussein": ("Husein", "Hussain"), "Mohammadi": ("Muhammadi", "Mohamadi"), "Haddad": ("Hadad",),
    "Khalil": ("Chalil", "Halil"), "Nasser": ("Naser", "Nasr"), "Hosseini": ("Husseini", "Hoseini"),
    "Karimi": ("Kerimi",), "Jusufi": ("Yusufi", "Yousefi"), "Ahmadi": ("Achmadi", "Ahmady"),
    "Haidari": ("Haydari", "Heidari"), "Ivanov": ("Iwanow", "Ivanoff"), "Petrov": ("Petrow",),
    "Smirnov": ("Smirnow", "Smirnoff"), "Kuznetsov": ("Kusnezow",), "Sjevtjenko": ("Shevchenko",),
    "Kovalenko": ("Kowalenko",), "Tkatjenko": ("Tkachenko", "Tkatschenko"), "Popov": ("Popow",),
    "Volkov": ("Wolkow", "Volkoff"), "Sokolov": ("Sokolow",), "Rahimi": ("Rahemi",),
}
NEWCOMER_GIVEN_MALE = ("Mohammed", "Ahmed", "Mahmoud", "Jusuf", "Omar", "Hassan", "Ibrahim", "Khaled",
                       "Mustafa", "Abdullah", "Aleksandr", "Dmitrij", "Sergej", "Jurij", "Andrej",
                       "Nikolaj", "Michail")
NEWCOMER_GIVEN_FEMALE = ("Fatima", "Aisha", "Maryam", "Zainab", "Khadija", "Amina", "Leila",
                         "Jekaterina", "Natalja", "Julija", "Tatjana", "Svetlana", "Irina", "Anastasija")
NEWCOMER_FAMILY = ("Hussein", "Mohammadi", "Haddad", "Khalil", "Nasser", "Hosseini", "Karimi", "Jusufi",
                   "Ahmadi", "Haidari", "Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Sjevtjenko",
                   "Kovalenko", "Tkatjenko", "Popov", "Volkov", "Sokolov", "Rahimi")
NATIONALITIES = ("SYR", "AFG", "IRQ", "SOM", "UKR", "RUS", "ERI", "IRN")


@dataclass(frozen=True)
class NamePool:
    """Names with their frequencies, ready for vectorised draws."""

    names: np.ndarray
    weights: np.ndarray

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return self.names[rng.choice(len(self.names), size=count, p=self.weights)]


@dataclass(frozen=True)
class NamePools:
    female: NamePool
    male: NamePool
    family: NamePool


def _pool(weighted: dict[str, float]) -> NamePool:
    names = np.array(list(weighted), dtype=object)
    weights = np.array(list(weighted.values()), dtype=float)
    return NamePool(names, weights / weights.sum())


@lru_cache(maxsize=1)
def name_pools() -> NamePools:
    """The locale's given and family names, weighted by how common they are."""
    person = Faker(LOCALE).provider("faker.providers.person")
    return NamePools(_pool(person.first_names_female), _pool(person.first_names_male), _pool(person.last_names))


def spelling_variants(names: np.ndarray, table: dict[str, tuple[str, ...]], picks: np.ndarray) -> np.ndarray:
    """Each name swapped for one of its variants in ``table`` (picked by ``picks`` in [0, 1)).

    Names without a variant are returned unchanged.
    """
    out = names.copy()
    for i, name in enumerate(names):
        variants = table.get(name)
        if variants:
            out[i] = variants[int(picks[i] * len(variants))]
    return out
