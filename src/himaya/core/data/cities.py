"""Main cities with coordinates (WGS84, city centre) and their province or prefecture (HCP code).

Every region capital and the province or prefecture seats that are notable cities, plus a few large towns.
Casablanca's eight prefectures of arrondissements are not loaded: the city belongs to 06.141.
"""

from __future__ import annotations

# Two provinces are placed by a rural commune: Fahs-Anjra has no municipality at all, and Aousserd's only
# municipality (Lagouira) lies on the far southern border, away from the province's people.
RURAL_COMMUNES = frozenset({"ksar-sghir", "aousserd"})

# slug, name_fr, name_ar, province code, latitude, longitude
CITIES: list[tuple[str, str, str, str, float, float]] = [
    # 01 Tanger-Tétouan-Al Hoceima
    ("tanger", "Tanger", "طنجة", "01.511", 35.7673, -5.7998),
    ("asilah", "Asilah", "أصيلة", "01.511", 35.4650, -6.0353),
    ("ksar-sghir", "Ksar Sghir", "القصر الصغير", "01.227", 35.8433, -5.5586),
    ("tetouan", "Tétouan", "تطوان", "01.571", 35.5785, -5.3684),
    ("mdiq", "M'diq", "المضيق", "01.573", 35.6858, -5.3253),
    ("fnideq", "Fnideq", "الفنيدق", "01.573", 35.8494, -5.3573),
    ("larache", "Larache", "العرائش", "01.331", 35.1932, -6.1557),
    ("ksar-el-kebir", "Ksar El Kébir", "القصر الكبير", "01.331", 35.0017, -5.9053),
    ("al-hoceima", "Al Hoceima", "الحسيمة", "01.051", 35.2517, -3.9372),
    ("chefchaouen", "Chefchaouen", "شفشاون", "01.151", 35.1688, -5.2636),
    ("ouezzane", "Ouezzane", "وزان", "01.405", 34.7968, -5.5784),
    # 02 Oriental
    ("oujda", "Oujda", "وجدة", "02.411", 34.6814, -1.9086),
    ("nador", "Nador", "الناظور", "02.381", 35.1681, -2.9335),
    ("driouch", "Driouch", "الدريوش", "02.167", 34.9767, -3.3832),
    ("jerada", "Jerada", "جرادة", "02.275", 34.3117, -2.1636),
    ("berkane", "Berkane", "بركان", "02.113", 34.9200, -2.3200),
    ("taourirt", "Taourirt", "تاوريرت", "02.533", 34.4073, -2.8973),
    ("guercif", "Guercif", "جرسيف", "02.265", 34.2258, -3.3536),
    ("bouarfa", "Bouarfa", "بوعرفة", "02.251", 32.5309, -1.9614),
    ("figuig", "Figuig", "فجيج", "02.251", 32.1094, -1.2289),
    # 03 Fès-Meknès
    ("fes", "Fès", "فاس", "03.231", 34.0331, -5.0003),
    ("meknes", "Meknès", "مكناس", "03.061", 33.8935, -5.5473),
    ("el-hajeb", "El Hajeb", "الحاجب", "03.171", 33.6928, -5.3711),
    ("ifrane", "Ifrane", "إفران", "03.271", 33.5228, -5.1106),
    ("azrou", "Azrou", "أزرو", "03.271", 33.4342, -5.2213),
    ("sefrou", "Sefrou", "صفرو", "03.451", 33.8305, -4.8353),
    ("taounate", "Taounate", "تاونات", "03.531", 34.5361, -4.6400),
    ("taza", "Taza", "تازة", "03.561", 34.2133, -4.0103),
    ("missour", "Missour", "ميسور", "03.131", 33.0469, -3.9928),
    ("moulay-yacoub", "Moulay Yacoub", "مولاي يعقوب", "03.591", 34.0870, -5.1800),
    # 04 Rabat-Salé-Kénitra
    ("rabat", "Rabat", "الرباط", "04.421", 34.0209, -6.8416),
    ("sale", "Salé", "سلا", "04.441", 34.0531, -6.7985),
    ("temara", "Témara", "تمارة", "04.501", 33.9287, -6.9063),
    ("kenitra", "Kénitra", "القنيطرة", "04.281", 34.2610, -6.5802),
    ("khemisset", "Khémisset", "الخميسات", "04.291", 33.8241, -6.0663),
    ("tiflet", "Tiflet", "تيفلت", "04.291", 33.8946, -6.3067),
    ("sidi-kacem", "Sidi Kacem", "سيدي قاسم", "04.481", 34.2260, -5.7075),
    ("sidi-slimane", "Sidi Slimane", "سيدي سليمان", "04.491", 34.2648, -5.9256),
    # 05 Béni Mellal-Khénifra
    ("beni-mellal", "Béni Mellal", "بني ملال", "05.091", 32.3373, -6.3498),
    ("kasba-tadla", "Kasba Tadla", "قصبة تادلة", "05.091", 32.5977, -6.2684),
    ("azilal", "Azilal", "أزيلال", "05.081", 31.9669, -6.5694),
    ("fquih-ben-salah", "Fquih Ben Salah", "الفقيه بن صالح", "05.255", 32.5017, -6.6886),
    ("khenifra", "Khénifra", "خنيفرة", "05.301", 32.9394, -5.6675),
    ("khouribga", "Khouribga", "خريبكة", "05.311", 32.8811, -6.9063),
    ("oued-zem", "Oued Zem", "وادي زم", "05.311", 32.8627, -6.5735),
    # 06 Casablanca-Settat
    ("casablanca", "Casablanca", "الدار البيضاء", "06.141", 33.5731, -7.5898),
    ("mediouna", "Médiouna", "مديونة", "06.355", 33.4530, -7.5160),
    ("nouaceur", "Nouaceur", "النواصر", "06.385", 33.3670, -7.5830),
    ("mohammedia", "Mohammédia", "المحمدية", "06.371", 33.6866, -7.3830),
    ("el-jadida", "El Jadida", "الجديدة", "06.181", 33.2316, -8.5007),
    ("azemmour", "Azemmour", "أزمور", "06.181", 33.2877, -8.3420),
    ("benslimane", "Benslimane", "بنسليمان", "06.111", 33.6122, -7.1211),
    ("berrechid", "Berrechid", "برشيد", "06.117", 33.2655, -7.5875),
    ("settat", "Settat", "سطات", "06.461", 33.0010, -7.6166),
    ("sidi-bennour", "Sidi Bennour", "سيدي بنور", "06.467", 32.6500, -8.4244),
    # 07 Marrakech-Safi
    ("marrakech", "Marrakech", "مراكش", "07.351", 31.6295, -7.9811),
    ("chichaoua", "Chichaoua", "شيشاوة", "07.161", 31.5436, -8.7650),
    ("tahannaout", "Tahannaout", "تحناوت", "07.041", 31.3517, -7.9511),
    ("el-kelaa-des-sraghna", "El Kelâa des Sraghna", "قلعة السراغنة", "07.191", 32.0481, -7.4086),
    ("essaouira", "Essaouira", "الصويرة", "07.211", 31.5085, -9.7595),
    ("ben-guerir", "Ben Guerir", "ابن جرير", "07.427", 32.2359, -7.9540),
    ("safi", "Safi", "آسفي", "07.431", 32.2994, -9.2372),
    ("youssoufia", "Youssoufia", "اليوسفية", "07.585", 32.2463, -8.5294),
    # 08 Drâa-Tafilalet
    ("errachidia", "Errachidia", "الرشيدية", "08.201", 31.9314, -4.4244),
    ("erfoud", "Erfoud", "أرفود", "08.201", 31.4347, -4.2317),
    ("ouarzazate", "Ouarzazate", "ورزازات", "08.401", 30.9189, -6.8934),
    ("midelt", "Midelt", "ميدلت", "08.363", 32.6852, -4.7451),
    ("tinghir", "Tinghir", "تنغير", "08.577", 31.5147, -5.5328),
    ("zagora", "Zagora", "زاكورة", "08.587", 30.3306, -5.8381),
    # 09 Souss-Massa
    ("agadir", "Agadir", "أكادير", "09.001", 30.4278, -9.5981),
    ("inezgane", "Inezgane", "إنزكان", "09.273", 30.3558, -9.5364),
    ("ait-melloul", "Aït Melloul", "آيت ملول", "09.273", 30.3342, -9.4972),
    ("biougra", "Biougra", "بيوكرى", "09.163", 30.2144, -9.3708),
    ("taroudant", "Taroudant", "تارودانت", "09.541", 30.4703, -8.8770),
    ("tiznit", "Tiznit", "تيزنيت", "09.581", 29.6974, -9.7316),
    ("tata", "Tata", "طاطا", "09.551", 29.7428, -7.9725),
    # 10 Guelmim-Oued Noun
    ("guelmim", "Guelmim", "كلميم", "10.261", 28.9870, -10.0574),
    ("assa", "Assa", "آسا", "10.071", 28.6086, -9.4272),
    ("tan-tan", "Tan-Tan", "طانطان", "10.521", 28.4380, -11.1032),
    ("sidi-ifni", "Sidi Ifni", "سيدي إفني", "10.473", 29.3797, -10.1730),
    # 11 Laâyoune-Sakia El Hamra
    ("laayoune", "Laâyoune", "العيون", "11.321", 27.1253, -13.1625),
    ("boujdour", "Boujdour", "بوجدور", "11.121", 26.1258, -14.4842),
    ("tarfaya", "Tarfaya", "طرفاية", "11.537", 27.9378, -12.9261),
    ("smara", "Es-Semara", "السمارة", "11.221", 26.7384, -11.6719),
    # 12 Dakhla-Oued Ed-Dahab
    ("dakhla", "Dakhla", "الداخلة", "12.391", 23.6848, -15.9580),
    ("aousserd", "Aousserd", "أوسرد", "12.066", 22.5526, -14.3268),
]

# The seat (capital) of each region, by region code.
REGION_CAPITALS: dict[str, str] = {
    "01": "tanger",
    "02": "oujda",
    "03": "fes",
    "04": "rabat",
    "05": "beni-mellal",
    "06": "casablanca",
    "07": "marrakech",
    "08": "errachidia",
    "09": "agadir",
    "10": "guelmim",
    "11": "laayoune",
    "12": "dakhla",
}
