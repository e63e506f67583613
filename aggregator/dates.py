"""Read an entry's date from the string the source wrote, in the source's time zone.

feedparser knows RFC 822 and W3C dates, and misreads others without saying so: 6.0.14 reads
`2020/1/10 14:33:00` and `2020年1月10日 14:33` as 2020-11-01 00:00, so a forum feed's 20 items all
get one date and lose their order. And it reads every date without a zone as UTC. So the raw
string is read here first, in the formats sources really use; feedparser's reading is kept only
for strings this module does not recognize. Pure: strings in, aware UTC datetimes out.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.text import collapsed

# Dates outside this range are junk (epoch-zero placeholders, typos like year 20224).
MIN_YEAR, MAX_YEAR = 1980, 2200
# A date with no time of day ("2005-12-27") is read at noon in its zone, not midnight: the same
# day wherever it is shown within 12 hours of that zone (a Japanese feed's midnight was the day
# before on a site in UTC, and in every feed reader west of Japan).
DAY_ONLY_HOUR = 12
BUDDHIST_ERA = 543  # years the Thai solar calendar counts ahead of the Gregorian one

# An offset, which its zone's name may follow, as Go writes it ("+0800 CST"), or a zone's name
# alone ("Z", "UTC", "PST": _ZONE_OFFSETS; another name is not read).
_ZONE = r"\s*(?P<zone>[+-]\d{2}(?::?\d{2})?(?:\s+[A-Za-z]{2,5})?|[A-Za-z]{1,5})?"
# Before the time, the meridiem as Korean, Chinese and Japanese write it (.NET's ko-KR and zh-TW
# DateTime: "2020-01-10 오후 2:33:00", "2020/1/10 下午 02:33:00"); after it, AM/PM.
_MERIDIEM_FIRST = r"(?:(?P<ampm_first>오전|오후|上午|下午|早上|中午|晚上|午前|午後)\s*)?"
# Between a date and its time: a space or "T", or a word or dash as CMSs write them
# ("2020-01-10 at 14:33", Drupal's "01/10/2020 - 14:33", German "um", Dutch "om", Portuguese
# "às", Italian "alle"/"ore", Nordic "kl."/"klo", Polish "o"/"godz.", Russian "в", Turkish "saat", a
# bullet: "01.12.2026 в 15:05", "1 December 2026 • 15:05").
_JOIN = (
    r"(?:\s+(?:at|um|om|à|às|a las|alle|ore|kl\.?|klo|o|godz\.|в|saat)\s+|\s*[-–|@•·]\s*|[T\s]+)"
)
_TIME = (
    r"(?:" + _JOIN + _MERIDIEM_FIRST + r"(?P<h>\d{1,2})[:：](?P<mi>\d{2})"
    r"(?:[:：](?P<s>\d{2})(?:[.,]\d+)?)?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?)?"
)
# The weekday in parentheses Japanese and Korean write after a date: 2020/01/10(金), (금), (Fri).
_WEEKDAY_IN_PARENTHESES = r"(?:\s*[(（][^\W\d_]{1,9}[)）])?"
# Year first: ISO 8601 / RFC 3339 (2020-01-10T14:33:00Z), 2020-1-10 14:33, 2020/1/10 14:33:00.
_YMD = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    + _WEEKDAY_IN_PARENTHESES
    + _TIME
    + _ZONE
)
# ISO 8601's basic format, with its time: 20200110T143300Z.
_ISO_BASIC = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})T(?P<h>\d{2})(?P<mi>\d{2})(?:(?P<s>\d{2})(?:[.,]\d+)?)?"
    + _ZONE
)
# 2020年1月10日 14:33, 2020年1月10日 14时33分, 2020年01月10日, with the weekday that may follow
# the day: 2020年1月10日(金) 14:33 (Japanese), 2020年1月10日 星期五 14:33, 周五 (Chinese).
_CJK_WEEKDAY = (
    r"(?:\s*[(（]?\s*(?:星期|礼拜|禮拜|周|週)?[一二三四五六日天月火水木金土]\s*(?:曜日?)?[)）]?)?"
)
# A Japanese era's year may stand for the year: 令和8年 (2026), 令和元年 (2019, its first); and
# so may the Republic of China's, as Taiwan writes it: 民國115年 (2026). An hour may stand
# alone: 午前10時.
_CJK = re.compile(
    r"(?:(?P<y>\d{4})|(?P<era>令和|平成|(?:中華)?民[國国])\s*(?P<ey>\d{1,3}|元))\s*年\s*(?P<m>\d{1,2})\s*月"
    r"\s*(?P<d>\d{1,2})\s*日"
    + _CJK_WEEKDAY
    + r"(?:\s*(?P<ampm>上午|下午|早上|中午|晚上|午前|午後))?"
    + r"(?:\s*(?P<h>\d{1,2})\s*(?:[:：时時点點]\s*(?P<mi>\d{1,2})"
    r"(?:\s*(?:分\s*)?(?:[:：]\s*)?(?P<s>\d{1,2})\s*秒?)?\s*分?|[时時点點]))?" + _ZONE
)
# Korean: 2020년 1월 10일 14:33, 2020년 1월 10일 (금) 오후 2:33, 2020년 1월 10일 14시 33분
_KOREAN = re.compile(
    r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"
    r"(?:\s*[(（]?[월화수목금토일](?:요일)?[)）]?)?"
    r"(?:\s*(?P<ampm>오전|오후))?"
    r"(?:\s*(?P<h>\d{1,2})\s*[:시]\s*(?P<mi>\d{1,2})(?:\s*[:분]\s*(?P<s>\d{1,2})\s*초?)?\s*분?)?"
    + _ZONE
)
# Day first with dots (German, Russian...) or dashes (Dutch, Indian, Latin American sites: PHP's
# date("d-m-Y H:i")): 10.1.2020 14:33, 10-01-2020 2:33 PM. (Month first when the day cannot be:
# 01-25-2020.)
_DMY = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}),?"
    r"(?:" + _JOIN + r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?)?" + _ZONE
)
# Day first with dots and a year of two digits: German "07.12.26 09:15", Israeli, Russian and
# Turkish too. Read in Europe's and Israel's zones only: Korean "26.12.07 09:15" is year first, an
# American one month first. Without its time, as date("d.m.y") writes it only (_short_date_alone).
_DAY_FIRST_SHORT_ZONES = re.compile(r"Europe/.*|Asia/(?:Jerusalem|Tel_Aviv)|Israel")
_YEAR_FIRST_SHORT_ZONES = frozenset({"Europe/Budapest"})
_DMY_SHORT = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2})(?:,?"
    r"(?:" + _JOIN + r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)" + _ZONE + ")?"
)
# Month first with slashes (ASP.NET's en-US DateTime.ToString()): 1/10/2020 2:33:00 PM
_MDY = re.compile(
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}),?"
    r"(?:" + _JOIN + r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?" + _ZONE
)

# Month names (full and abbreviated, lower case, accents as written) in the languages feeds use,
# mapped to the English abbreviation RFC 822 wants: German, French, Spanish, Italian, Portuguese,
# Dutch, Russian, and (the second line of each) Polish, Turkish, Swedish, Danish, Norwegian,
# Czech, Indonesian and Ukrainian, in the forms a date writes them ("5 marca", "5. března");
# then Romanian's.
# Not Polish "listopad(a)" and "lis", nor "lip": Croatian's October and June (a wrong month is
# worse than none: such a date is feedparser's to read, else the article's first sighting).
_MONTHS: dict[str, str] = {}
for _english, _names in {
    "Jan": "januar janvier janv enero ene gennaio gen janeiro januari jänner jän января январь янв "
    "stycznia styczeń sty ocak oca ledna leden січня січень січ",
    "Feb": "februar février févr fév fevrier fevr febrero febbraio fevereiro fev februari "
    "февраля февраль фев lutego luty lut şubat şub febr února únor лютого лютий лют",
    "Mar": "märz mär mrz mars marzo março marco maart mrt марта март мар "
    "marca marzec mart marts března březen maret березня березень бер",
    "Apr": "april avril avr abril abr aprile aprilie апреля апрель апр "
    "kwietnia kwiecień kwi nisan nis dubna duben квітня квітень квіт",
    "May": "mai mayo maggio mag maio mei мая май maja maj mayıs května květen травня травень трав",
    "Jun": "juni juin junio giugno giu junho июня июнь июн "
    "czerwca czerwiec cze haziran haz června červen червня червень черв",
    "Jul": "juli juillet juil julio luglio lug julho июля июль июл "
    "lipca lipiec temmuz tem července červenec липня липень лип",
    "Aug": "august août aout agosto ago augustus августа август авг "
    "sierpnia sierpień ağustos ağu augusti srpna srpen agustus agt серпня серпень серп",
    "Sep": "september septembre sept septiembre set settembre setembro сентября сентябрь сен "
    "września wrzesień wrz eylül eyl září вересня вересень вер",
    "Oct": "oktober okt octobre octubre ottobre ott outubro out октября октябрь окт "
    "października październik paź ekim eki října říjen жовтня жовтень жовт",
    "Nov": "november novembre noviembre novembro ноября ноябрь ноя "
    "kasım kas listopadu листопада листопад лист",
    "Dec": "dezember dez décembre déc decembre dec diciembre dic dicembre dezembro december "
    "декабря декабрь дек grudnia grudzień gru aralık ara desember prosince prosinec грудня "
    "грудень груд",
}.items():
    for _name in _names.split():
        _MONTHS[_name] = _english
_MONTHS.update(  # Romanian's ("mar., 10 ianuarie": a Tuesday of January, not March)
    ianuarie="Jan", ian="Jan", februarie="Feb", martie="Mar", aprilie="Apr", iunie="Jun",
    iun="Jun", iulie="Jul", iul="Jul", septembrie="Sep", octombrie="Oct", noiembrie="Nov",
    decembrie="Dec",
)  # fmt: skip
for _english, _names in {  # Thai's, full and abbreviated ("5 มี.ค. 2567": the era's year)
    "Jan": "มกราคม ม.ค", "Feb": "กุมภาพันธ์ ก.พ", "Mar": "มีนาคม มี.ค", "Apr": "เมษายน เม.ย",
    "May": "พฤษภาคม พ.ค", "Jun": "มิถุนายน มิ.ย", "Jul": "กรกฎาคม ก.ค", "Aug": "สิงหาคม ส.ค",
    "Sep": "กันยายน ก.ย", "Oct": "ตุลาคม ต.ค", "Nov": "พฤศจิกายน พ.ย", "Dec": "ธันวาคม ธ.ค",
}.items():  # fmt: skip
    for _name in _names.split():
        _MONTHS[_name] = _english
# Arabic's: the Egyptian and Gulf names (Latin's, "ديسمبر"), then the Levantine and Iraqi ones
# ("كانون الأول"; two words: _joined_months makes them one token), then the Maghreb's, Morocco's
# ("7 دجنبر 2026") and Algeria's and Tunisia's, from the French ("12 جانفي 2026"). Not Persian's
# "آذر" (the Solar Hijri year's ninth month, not March's "آذار"), nor the Hijri months: no
# Gregorian date has them.
_ARABIC_MONTHS = {
    "Jan": "يناير كانون_الثاني جانفي", "Feb": "فبراير شباط فيفري", "Mar": "مارس آذار اذار",
    "Apr": "أبريل ابريل إبريل نيسان أفريل افريل", "May": "مايو أيار ايار ماي",
    "Jun": "يونيو يونيه حزيران جوان", "Jul": "يوليو يوليه تموز يوليوز جويلية",
    "Aug": "أغسطس اغسطس آب غشت أوت اوت", "Sep": "سبتمبر أيلول ايلول شتنبر",
    "Oct": "أكتوبر اكتوبر تشرين_الأول تشرين_الاول", "Nov": "نوفمبر تشرين_الثاني نونبر",
    "Dec": "ديسمبر كانون_الأول كانون_الاول دجنبر",
}  # fmt: skip
# Hindi's (both spellings of each; NFC, as _fold reads a word), Greek's without their accents
# (nominative, genitive as dates write them, "1 Δεκεμβρίου", and abbreviated: _fold drops the
# accents), and Indonesian's abbreviations ("1 Des 2026", "17 Agu").
_MORE_MONTHS = {
    "Jan": "जनवरी ιανουαριος ιανουαριου ιαν",
    "Feb": "फ़रवरी फरवरी φεβρουαριος φεβρουαριου φεβ",
    "Mar": "मार्च μαρτιος μαρτιου μαρ",
    "Apr": "अप्रैल अप्रेल απριλιος απριλιου απρ",
    "May": "मई μαιος μαιου μαι",
    "Jun": "जून ιουνιος ιουνιου ιουν",
    "Jul": "जुलाई ιουλιος ιουλιου ιουλ",
    "Aug": "अगस्त αυγουστος αυγουστου αυγ agu ags",
    "Sep": "सितंबर सितम्बर σεπτεμβριος σεπτεμβριου σεπ",
    "Oct": "अक्टूबर अक्तूबर οκτωβριος οκτωβριου οκτ",
    "Nov": "नवंबर नवम्बर νοεμβριος νοεμβριου νοε",
    "Dec": "दिसंबर दिसम्बर δεκεμβριος δεκεμβριου δεκ des",
}
# South Slavic and Bulgarian: Croatian's own names (nominative and genitive, "15. lipnja 2026."),
# Serbian's and Slovenian's in Latin and Serbian's in Cyrillic (with the genitive "1. децембра"),
# Macedonian's and Bulgarian's; and Persian's names of the Gregorian months ("۱۵ ژوئن ۲۰۲۶";
# not the Solar Hijri year's, "خرداد": no Gregorian date has them). Croatian's abbreviations,
# "lip" and "srp" among them, are read in Croatia's and Bosnia's zones only (_ZONE_MONTHS).
_SLAVIC_MONTHS = {
    "Jan": "siječanj siječnja januara januarja јануар јануара јан јануари януари яну",
    "Feb": "veljača veljače februara februarja фебруар фебруара феб февруари",
    "Mar": "ožujak ožujka marec marta март марта",
    "Apr": "travanj travnja aprila април априла апр",
    "May": "svibanj svibnja мај маја",
    "Jun": "lipanj lipnja junij junija juna јун јуна јуни юни",
    "Jul": "srpanj srpnja julij julija jula јул јула јули юли",
    "Aug": "kolovoz kolovoza avgust avgusta avg август августа авг",
    "Sep": "rujan rujna septembar septembra септембар септембра сеп септември",
    "Oct": "oktobar oktobra октобар октобра окт октомври",
    "Nov": "studeni studenoga studenog novembar novembra новембар новембра нов ноември ное",
    "Dec": "prosinac prosinca decembar decembra децембар децембра дец декември",
}
# Russian's other abbreviations ("1 сент. 2026 г."), Czech's own (CLDR's "čvn", "zář"; its "led",
# "dub", "srp", "lis" and "pro" are words or other months elsewhere: _ZONE_MONTHS), Slovak's,
# Hungarian's (year first, "2026. június 15.": _rfc822 puts it in order), Finnish's, Catalan's
# ("d'abril" too), Lithuanian's genitive ("2026 m. gruodžio 1 d."), Latvian's and Estonian's.
_EUROPEAN_MONTHS = {
    "Jan": "jaan sausis január januára tammikuu tammikuuta tammik gener sausio janvāris janvārī "
    "jaanuar",
    "Feb": "úno veebr февр február februára febr helmikuu helmikuuta helmik febrer vasario "
    "vasaris februāris februārī veebruar",
    "Mar": "bře marec marca március márc maaliskuu maaliskuuta maalisk març kovo kovas marts "
    "martā märts",
    "Apr": "apríl apríla április ápr huhtikuu huhtikuuta huhtik abril d'abril d’abril d'abr "
    "d’abr balandžio balandis aprīlis aprīlī aprill",
    "May": "kvě máj mája május toukokuu toukokuuta toukok maig gegužės gegužė maijs maijā",
    "Jun": "jūn birželis čvn jún júna június kesäkuu kesäkuuta kesäk juny birželio jūnijs jūnijā "
    "juuni",
    "Jul": "jūl liepa čvc júl júla július heinäkuu heinäkuuta heinäk juliol liepos jūlijs jūlijā "
    "juuli",
    "Aug": "augusta augusztus augusztusa elokuu elokuuta elok agost d'agost d’agost d'ag d’ag "
    "rugpjūčio rugpjūtis augusts augustā",
    "Sep": "сент zář septembra szeptember szept syyskuu syyskuuta syysk setembre rugsėjo "
    "rugsėjis septembris septembrī",
    "Oct": "říj október októbra lokakuu lokakuuta lokak octubre d'octubre d'oct d’oct d’octubre "
    "spalio spalis oktobris oktobrī oktoober",
    "Nov": "нояб novembra marraskuu marraskuuta marrask novembre lapkričio lapkritis novembris "
    "novembrī",
    "Dec": "dets gruodis decembra joulukuu joulukuuta jouluk desembre gruodžio decembris "
    "decembrī detsember",
}
_PERSIAN_MONTHS = {
    "Jan": "ژانویه", "Feb": "فوریه", "Mar": "مارس", "Apr": "آوریل", "May": "مه می",
    "Jun": "ژوئن", "Jul": "ژوئیه جولای", "Aug": "اوت آگوست", "Sep": "سپتامبر", "Oct": "اکتبر",
    "Nov": "نوامبر", "Dec": "دسامبر",
}  # fmt: skip
# Hindi's abbreviations ("1 दिस॰ 2026"), Bengali's, Malay's, and Hebrew's, alone, abbreviated
# ("דצמ׳") and as dates write them, "in" before ("1 בדצמבר 2026").
_MORE_SCRIPTS = {
    "Jan": "जन॰ জানুয়ারী জানুয়ারি জানু ינואר בינואר ינו׳",
    "Feb": "फ़र॰ ফেব্রুয়ারী ফেব্রুয়ারি ফেব פברואר בפברואר פבר׳",
    "Mar": "মার্চ מרץ במרץ",
    "Apr": "এপ্রিল এপ্রি אפריל באפריל אפר׳",
    "May": "মে מאי במאי",
    "Jun": "জুন יוני ביוני",
    "Jul": "जुल॰ জুলাই জুল julai יולי ביולי",
    "Aug": "अग॰ আগস্ট আগ ogos אוגוסט באוגוסט אוג׳",
    "Sep": "सित॰ সেপ্টেম্বর সেপ্ট সেপ ספטמבר בספטמבר ספט׳",
    "Oct": "अक्टू॰ অক্টোবর অক্টো אוקטובר באוקטובר אוק׳",
    "Nov": "नव॰ নভেম্বর নভে נובמבר בנובמבר נוב׳",
    "Dec": "दिस॰ ডিসেম্বর ডিসে disember דצמבר בדצמבר דצמ׳",
}
# Languages of 50M+ speakers a held-out set found unread (bench/heldout/dates.tsv): CLDR's
# names, full and abbreviated, of Urdu, Marathi, Telugu, Tamil, Gujarati, Punjabi, Kannada and
# Malayalam ("15 జూన్, 2026", "7 டிசம்பர் 2026"), and Swahili's, Filipino's and Hausa's full
# ones ("7 Desemba 2026", "Disyembre 7, 2026"); their short forms that are words elsewhere
# (Swahili "Mac", Filipino "Hun", Hausa "Sat") in their own zones only (_ZONE_MONTHS).
_SOUTH_ASIAN_AND_AFRICAN_MONTHS = {
    "Jan": "جنوری जानेवारी जाने జనవరి జన ஜனவரி ஜன જાન્યુઆરી જાન્યુ ਜਨਵਰੀ ਜਨ ಜನವರಿ ಜನ ജനുവരി ജനു "
    "januari enero janairu",
    "Feb": "فروری फेब्रुवारी फेब्रु ఫిబ్రవరి ఫిబ్ర பிப்ரவரி பிப் ફેબ્રુઆરી ફેબ્રુ ਫ਼ਰਵਰੀ ਫ਼ਰ ಫೆಬ್ರವರಿ "
    "ಫೆಬ್ರ ഫെബ്രുവരി ഫെബ്രു februari pebrero peb faburairu",
    "Mar": "مارچ मार्च మార్చి மார்ச் மார் માર્ચ ਮਾਰਚ ಮಾರ್ಚ್ മാർച്ച് മാർ machi marso maris",
    "Apr": "اپریل एप्रिल एप्रि ఏప్రిల్ ఏప్రి ஏப்ரல் ஏப் એપ્રિલ ਅਪ੍ਰੈਲ ਅਪ੍ਰੈ ಏಪ್ರಿಲ್ ಏಪ್ರಿ ഏപ്രിൽ "
    "ഏപ്രി aprili afirilu",
    "May": "مئی मे మే மே મે ਮਈ ಮೇ മേയ് mayo mayu",
    "Jun": "جون जून జూన్ ஜூன் જૂન ਜੂਨ ಜೂನ್ ജൂൺ hunyo yuni",
    "Jul": "جولائی जुलै జులై జూలై ஜூலை જુલાઈ ਜੁਲਾਈ ਜੁਲਾ ಜುಲೈ ജൂലൈ julai hulyo yuli",
    "Aug": "اگست ऑगस्ट ऑग ఆగస్టు ఆగ ஆகஸ்ட் ஆக ઑગસ્ટ ਅਗਸਤ ਅਗ ಆಗಸ್ಟ್ ಆಗ ഓഗസ്റ്റ് ഓഗ agosti agosto "
    "agusta",
    "Sep": "ستمبر सप्टेंबर सप्टें సెప్టెంబర్ సెప్టెం செப்டம்பர் செப் સપ્ટેમ્બર સપ્ટે ਸਤੰਬਰ ਸਤੰ "
    "ಸೆಪ್ಟೆಂಬರ್ ಸೆಪ್ಟೆಂ സെപ്റ്റംബർ സെപ്റ്റം septemba setyembre satumba",
    "Oct": "اکتوبر ऑक्टोबर ऑक्टो అక్టోబర్ అక్టో அக்டோபர் அக் ઑક્ટોબર ઑક્ટો ਅਕਤੂਬਰ ਅਕਤੂ "
    "ಅಕ್ಟೋಬರ್ ಅಕ್ಟೋ ഒക്‌ടോബർ ഒക്ടോബർ ഒക്ടോ oktoba oktubre",
    "Nov": "نومبر नोव्हेंबर नोव्हें నవంబర్ నవం நவம்பர் நவ નવેમ્બર નવે ਨਵੰਬਰ ਨਵੰ ನವೆಂಬರ್ ನವೆಂ "
    "നവംബർ നവം novemba nobyembre nuwamba",
    "Dec": "دسمبر डिसेंबर डिसें డిసెంబర్ డిసెం டிசம்பர் டிச ડિસેમ્બર ડિસે ਦਸੰਬਰ ਦਸੰ ಡಿಸೆಂಬರ್ "
    "ಡಿಸೆಂ ഡിസംബർ ഡിസം desemba disyembre disamba",
}  # fmt: skip
for _english, _names in (
    *_SOUTH_ASIAN_AND_AFRICAN_MONTHS.items(),
    *_ARABIC_MONTHS.items(),
    *_MORE_MONTHS.items(),
    *_SLAVIC_MONTHS.items(),
    *_EUROPEAN_MONTHS.items(),
    *_PERSIAN_MONTHS.items(),
    *_MORE_SCRIPTS.items(),
):
    for _name in _names.split():
        _MONTHS[unicodedata.normalize("NFC", _name)] = _english
# A month name that is another month in a neighbour's language, read in the source's zone only:
# Polish "listopad(a)" is November, Croatian and Bosnian's October; Polish "lip(iec)" July,
# Croatian "lip(anj)" June (a Zagreb feed's "pon, 15 lip 2026", unread before). Croatian's
# other abbreviations (PHP's and CLDR's, "sij", "velj", "ožu"...) are short words elsewhere.
_CROATIAN = {
    "listopad": "Oct", "listopada": "Oct", "lis": "Oct", "sij": "Jan", "velj": "Feb",
    "ožu": "Mar", "tra": "Apr", "svi": "May", "lip": "Jun", "srp": "Jul", "kol": "Aug",
    "ruj": "Sep", "stu": "Nov", "pro": "Dec",
}  # fmt: skip
# (Polish "sie", August, is German's "Sie"; Czech's "led", "dub", "srp" August, "pro" below.)
_POLISH = {"listopad": "Nov", "listopada": "Nov", "lis": "Nov", "lip": "Jul", "sie": "Aug"}
# Lithuanian's and Malay's abbreviations, short words elsewhere ("1 kov. 2026", "1 Mac 2026").
_LITHUANIAN = {
    "saus": "Jan", "vas": "Feb", "kov": "Mar", "bal": "Apr", "geg": "May", "birž": "Jun",
    "liep": "Jul", "rugp": "Aug", "rugs": "Sep", "spal": "Oct", "lapkr": "Nov", "gruod": "Dec",
}  # fmt: skip
# Finnish's short forms, words too ("kesä", summer; "joulu", Christmas).
_FINNISH = {
    "tammi": "Jan", "helmi": "Feb", "maalis": "Mar", "huhti": "Apr", "touko": "May",
    "kesä": "Jun", "heinä": "Jul", "elo": "Aug", "syys": "Sep", "loka": "Oct", "marras": "Nov",
    "joulu": "Dec",
}  # fmt: skip
_SWAHILI = {"mac": "Mar"}
_HAUSA = {
    "fab": "Feb", "afi": "Apr", "yun": "Jun", "yul": "Jul", "sat": "Sep", "nuw": "Nov",
    "dis": "Dec",
}  # fmt: skip
_ZONE_MONTHS = {
    "Europe/Warsaw": _POLISH,
    "Europe/Vilnius": _LITHUANIAN,
    "Asia/Kuala_Lumpur": {"mac": "Mar", "ogo": "Aug", "dis": "Dec"},
    "Europe/Helsinki": _FINNISH,
    "Europe/Zagreb": _CROATIAN,
    "Europe/Sarajevo": _CROATIAN,
    "Europe/Prague": {"led": "Jan", "dub": "Apr", "srp": "Aug", "lis": "Nov", "pro": "Dec"},
    "Africa/Nairobi": _SWAHILI,
    "Africa/Dar_es_Salaam": _SWAHILI,
    "Africa/Kampala": _SWAHILI,
    "Asia/Manila": {"hun": "Jun", "hul": "Jul", "nob": "Nov", "dis": "Dec"},
    "Africa/Lagos": _HAUSA,
    "Africa/Niamey": _HAUSA,
}
# CJK months as PHP's strftime writes them in an RFC 822 date under a Chinese, Japanese or Korean
# locale: "周二, 01 12月 2026 10:00:00 +0800", "火, 01 12月 2026", "01 十二月 2026", "12월".
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
for _number, (_english, _numeral) in enumerate(zip(MONTH_ABBREVIATIONS, _NUMERALS, strict=True), 1):
    for _name in (f"{_number}月", f"{_number:02d}月", f"{_numeral}月", f"{_number}월"):
        _MONTHS[_name] = _english
_ENGLISH = "january february march april may june july august september october november december"
for _name in _ENGLISH.split():
    _MONTHS[_name] = _MONTHS[_name[:3]] = _name[:3].title()


def _combining_marks() -> str:
    """A regex class body of the combining marks of the BMP, as ranges: Thai writes its vowels
    and tones as marks ("วันอังคารที่", Tuesday), which \\w does not match."""
    marks = [c for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[list[int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


_MARKS = _combining_marks()
# A word (hyphenated too: Portuguese "terça-feira", Tuesday), as a day's name or "de" is skipped;
# an abbreviation's dot or Hebrew's geresh may end it ("יום ג׳", Tuesday).
# (Malayalam writes a zero-width non-joiner inside words: "തിങ്കളാഴ്‌ച", Monday.)
_WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}\u200c\u200d]|-(?=[^\W\d_]))*[.׳]?")
_SEPARATORS = frozenset({"-", "–", "—", "|", "@", "•", "·"})
_ERAS = frozenset({"พ.ศ", "ค.ศ"})  # Thai: Buddhist era, Common era
_ERA_GLUED = re.compile(r"([พค]\.ศ\.)(?=\d)")  # "พ.ศ.2567", written against its year
_ENGLISH_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
# Zone names as the offsets they stand for: RFC 822's, feedparser's (AT, ET, CT, MT, PT) and
# the common others (JST was read in the source's zone: 9 h off for a Japanese feed in UTC).
# Read only after the time: "at", "et" and "mt" are words too ("Dec 2, 2024 at 10:00").
_ZONE_OFFSETS = {
    "gmt": "+0000", "ut": "+0000", "utc": "+0000", "z": "+0000", "wet": "+0000",
    "est": "-0500", "edt": "-0400", "et": "-0500", "cst": "-0600", "cdt": "-0500", "ct": "-0600",
    "mst": "-0700", "mdt": "-0600", "mt": "-0700", "pst": "-0800", "pdt": "-0700", "pt": "-0800",
    "ast": "-0400", "adt": "-0300", "at": "-0400", "nst": "-0330", "ndt": "-0230",
    "akst": "-0900", "akdt": "-0800", "hst": "-1000", "brt": "-0300", "art": "-0300",
    "west": "+0100", "bst": "+0100", "cet": "+0100", "mez": "+0100", "met": "+0100",
    "cest": "+0200", "mesz": "+0200", "mest": "+0200", "eet": "+0200", "sast": "+0200",
    "eest": "+0300", "msk": "+0300", "eat": "+0300", "pkt": "+0500", "ist": "+0530",
    "ict": "+0700", "wib": "+0700", "hkt": "+0800", "sgt": "+0800", "awst": "+0800",
    "pht": "+0800", "wita": "+0800", "jst": "+0900", "kst": "+0900", "wit": "+0900",
    "acst": "+0930", "aest": "+1000", "aedt": "+1100", "nzst": "+1200", "nzdt": "+1300",
}  # fmt: skip
# Names of more than one zone: the source's own meaning when its zone (by name) is one that
# means it so, else the one feeds mean most (IST India's, AST the Atlantic's, BST British
# Summer Time). (Chosen by offset, Berlin's and Moscow's sources read India's IST as Israel's.)
_OWN_MEANINGS = {
    "ist": {"Asia/Jerusalem": "+0200", "Asia/Tel_Aviv": "+0200", "Israel": "+0200",
            "Europe/Dublin": "+0100", "Eire": "+0100"},
    "ast": {zone: "+0300" for zone in (
        "Asia/Riyadh", "Asia/Baghdad", "Asia/Kuwait", "Asia/Qatar", "Asia/Bahrain", "Asia/Aden")},
    "bst": {"Asia/Dhaka": "+0600", "Asia/Dacca": "+0600"},
    "cst": {"America/Havana": "-0500", "Cuba": "-0500"},  # Cuba Standard Time
}  # fmt: skip
# Words as well as names: a zone only written in capitals ("et" is French for "and").
_WORDS_TOO = frozenset({"at", "et", "ct", "mt", "pt"})
_CHINA_OFFSET = timedelta(hours=8)  # where "CST" is China Standard Time, not US Central
# "+0530", "+05:30" (PHP's date("r") with "P"), "+08" (PostgreSQL's timestamptz), and "-700",
# "+530" (hours in one digit: hand-made feeds' "-700" was dropped, the date read in the source's
# zone, and feedparser's reading was 70 hours off)
_OFFSET = re.compile(r"[+-](?:\d{2}(?::?\d{2})?|\d{3})")
# The RFC 822 form most feeds write ("Mon, 02 Jan 2006 15:04:05 +0000", "… GMT"): read at
# once, as `_rfc822` reads it token by token (tests/test_dates.py checks that they agree); and
# by parse.py as feedparser reads it.
USUAL_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (" + "|".join(MONTH_ABBREVIATIONS) + ") "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) (GMT|UTC|UT|Z|[+-][0-9]{4})"
)


def zone(name: str) -> tzinfo:
    """The IANA time zone `name` ("" is UTC); raises ValueError for an unknown name."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        # OSError: a name that is tzdata's folder ("Europe") or too long for a file name, which
        # zoneinfo opens as a file: a traceback from check-config, a scheduler dying at start.
        raise ValueError(f"unknown time zone {name!r}") from e


def read(
    raw: str | None, parsed: datetime | None, local: tzinfo = UTC
) -> tuple[datetime | None, bool]:
    """The date a source wrote as (UTC datetime or None, whether it was unreadable).

    `raw` is the string as written, `parsed` feedparser's reading of it, `local` the source's time
    zone for dates written without one. Our reading wins when we recognize the format (that is
    where feedparser is wrong or ignores the zone); feedparser's stands for the formats we do not
    know; a string neither can read is unreadable. No string is no date, and not unreadable.
    """
    text = collapsed(raw or "")
    if not text:
        return parsed, False
    try:
        ours = _parse(text, local)
    except (ValueError, OverflowError):
        # A format we know with values no date has (month 13, an offset of +99:99): unreadable,
        # not feedparser's guess at it (it moved "+99:99" four days, "2020年13月40日" to December).
        return None, True
    if ours is not None:
        return ours, False
    if parsed is not None and _holds_its_year(text, parsed):
        return parsed, False
    return None, True


_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|2[01]\d\d)(?!\d)")
# A year no month's number follows: feedparser's ISO 8601 reading of it fills in the month it is
# now and the 1st ("2025 x" was 2025-12-01 when read in December).
_YEAR_ALONE = re.compile(r"\d{4}(?![-/.]?\d)")
# A time of day and no other number: feedparser dates it the day it is read ("10:00").
# A year and a month, or a season, and no day: "2026-06" was 1 June, "2025/26" the 1st of the
# month it was read in.
_YEAR_MONTH = re.compile(r"\d{4}[-/.]\d{1,2}")
_TIME_ALONE = re.compile(r"\D*\d{1,2}:\d{2}(?::\d{2})?\D*")


def _holds_its_year(text: str, parsed: datetime) -> bool:
    """Whether feedparser's reading is of the year the string writes, if it writes one: it read
    "01-12-2026 10:00" as 2001-12-20. (A year apart: the date's own, moved to UTC.) A bare
    number is a date only as ISO 8601's day written so ("20260615", "2026166"): feedparser read
    "12345678" and "202606" as 2012-12-10 and 2020-09-16, and a year alone ("2026") as its
    1 January, a day no article of that year was written on more than another. Nor is a year
    no month's number follows ("2026. június 15." was this month's 1st), nor a year and a month
    or a season ("2026-06", "2025/26"), nor a time alone."""
    if text.isdigit():
        return text in (parsed.strftime("%Y%m%d"), parsed.strftime("%Y%j"))
    if _YEAR_ALONE.match(text) or _TIME_ALONE.fullmatch(text) or _YEAR_MONTH.fullmatch(text):
        return False  # "2026. június 15.": this month's 1st; "10:00": today's, a guess
    years = {int(y) for y in _YEAR.findall(text)}
    return not years or bool(years & {parsed.year - 1, parsed.year, parsed.year + 1})


MAX_CHARS = 200  # a longer "date" is no date of ours (an 80 KB one took 49 s token by token)


def parse(text: str, local: tzinfo = UTC) -> datetime | None:
    """`text` read in one of the formats this module knows, as UTC; None otherwise."""
    try:
        return _parse(text, local)
    except (ValueError, OverflowError):  # an offset of +99:99, a 20-digit year, month 13
        return None


def read_dated(
    raw: str | None, parsed: datetime | None, local: tzinfo = UTC
) -> tuple[datetime | None, bool, bool]:
    """`read(raw, parsed, local)` and `day_only(raw, local)`, the string read once when `local`
    is UTC (as most sources' is): a cold refresh read every entry's date twice, a third of the
    dates' time."""
    text = collapsed(raw or "")
    if local is not UTC or not text or len(raw or "") > 4 * MAX_CHARS:
        return (*read(raw, parsed, local), day_only(raw, local))
    try:
        when, day = _reading(text, UTC)
    except (ValueError, OverflowError):
        return None, True, False
    try:
        ours = None if when is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None, True, day
    if ours is not None:
        return ours, False, day
    if parsed is not None and _holds_its_year(text, parsed):
        return parsed, False, day
    return None, True, day


def day_only(text: str | None, local: tzinfo = UTC) -> bool:
    """Whether `text` is a date this module reads in zone `local` that writes no time of day
    ("2005-12-27", "27 Dec 2005", "16 Qaws 1405" in Kabul's): read at noon in its zone
    (DAY_ONLY_HOUR), so one of today is ahead of now all morning without being a date in the
    future."""
    try:
        return _reading(text or "", local)[1]
    except (ValueError, OverflowError):
        return False


def unzoned_midnight(text: str | None) -> bool:
    """Whether `text` is a date written at 00:00 (or 00:00:00) that names no zone: a day, when
    every date of its feed is one (normalize.midnight_days)."""
    if not text or "00:00" not in text:  # (most dates: not read again)
        return False
    try:
        when = _reading(text, _UNWRITTEN)[0]
    except (ValueError, OverflowError):
        return False
    return (
        when is not None
        and when.tzinfo is _UNWRITTEN
        and (when.hour, when.minute, when.second) == (0, 0, 0)
    )


def written_offset(text: str | None) -> timedelta | None:
    """The offset from UTC that a date names ("-0500" in "Sat, 16 Dec 2023 14:02:33 -0500",
    zero for "Z" or "GMT"), or None when it names none or is no date of ours."""
    try:
        when = _reading(text or "", _UNWRITTEN)[0]
    except (ValueError, OverflowError):
        return None
    return None if when is None or when.tzinfo is _UNWRITTEN else when.utcoffset()


# The `local` of a reading that asks whether the date names a zone of its own.
_UNWRITTEN = timezone(timedelta(0), "unwritten")


def _parse(text: str, local: tzinfo) -> datetime | None:
    """`parse`, raising ValueError for a known format with impossible values."""
    when = _reading(text, local)[0]
    return None if when is None else when.astimezone(UTC)


def _reading(text: str, local: tzinfo) -> tuple[datetime | None, bool]:
    """`_parse` in the date's own zone (`local` when it names none), and whether the date
    writes no time of day."""
    if len(text) > 4 * MAX_CHARS:  # (before the split: its spaces may be most of it)
        return None, False
    text = collapsed(text)
    if len(text) > MAX_CHARS:
        return None, False
    if usual := USUAL_RFC822.fullmatch(text):
        return _usual_rfc822(usual), False
    if (named := _USUAL_NAMED_ZONE.fullmatch(text)) and (read := _named_zone(named, local)):
        return read
    return _read_any(text, local)


def _read_any(text: str, local: tzinfo) -> tuple[datetime | None, bool]:
    """`_parse` of a text with its white space collapsed, in every format (the usual RFC 822
    form too, token by token)."""
    # A zone's name in an RFC 5322 comment after it ("-0500 (EST)", JavaScript's "GMT+0100
    # (Central European Standard Time)", "(中国标准时间)" in a Chinese locale) hid the offset, and
    # the date was read in `local`; "GMT+8" was read as GMT.
    # (Each rewrite below is tried only when the text has a character it needs: most dates have
    # none, and a regex's call, ~0.3 µs, ten times a date was a third of a cold round's dates.)
    if ("[" in text or "/" in text) and (zone_id := _ZONE_ID.search(text)):
        text = text[: zone_id.start()]
        with contextlib.suppress(ValueError):
            local = zone(zone_id.group(1) or zone_id.group(2))
    if "(" in text:
        text = _ZONE_COMMENT.sub("", text)
    if "+" in text or "-" in text:
        text = _GMT_OFFSET.sub(_gmt_offset, text)
    text = _localized(text, local)
    if _EPOCH.fullmatch(text):
        return _from_epoch(int(text)), False
    if (first := _TIME_FIRST.fullmatch(text)) and ":" not in first.group(2):
        text = f"{first.group(2)} {first.group(1)}"  # the time after its date, as read below
    numbers = text[day.end() :] if (day := _DAY_BEFORE_NUMBERS.match(text)) else text
    for pattern in (_YMD, _ISO_BASIC, _CJK, _KOREAN, _DMY, _MDY):
        if match := pattern.fullmatch(numbers):
            return _from_match(match, local)
    if (
        _DAY_FIRST_SHORT_ZONES.fullmatch(key := getattr(local, "key", ""))
        and (short := _DMY_SHORT.fullmatch(numbers))
        and (short.group("h") or _short_date_alone(short, day, key))
    ):
        return _from_match(short, local)
    return _rfc822(text, local)


def _short_date_alone(short: re.Match[str], label: re.Match[str] | None, key: str) -> bool:
    """Whether a dotted day, month and year of two digits without a time, in a zone that writes
    the day first, is a date: with two digits each, as date("d.m.y") writes them ("1.12.26" is a
    version's shape too, "07.12.26" none: versions write no leading zero), alone or after a day's
    name or a label and its comma or colon ("Aktualisiert: 07.12.26"), not after a word alone
    ("Version 10.12.26"), nor where years come first (Hungary's "26.12.07")."""
    if key in _YEAR_FIRST_SHORT_ZONES or len(short.group("d")) + len(short.group("m")) < 4:
        return False
    return label is None or label.group().rstrip()[-1] in ",:："


def _localized(text: str, local: tzinfo) -> str:
    """`text` with what other languages write in place of the forms read here put as those:
    their digits as ASCII (Arabic-Indic, Persian, Devanagari...), Arabic's comma as ",", a
    Levantine month of two words as one token, Vietnamese "ngày 1 tháng 12 năm 2026" (and "1 thg
    12, 2026"), Czech and Korean spaced dates ("1. 12. 2026", "2026. 12. 1."), French and
    Portuguese "15h05", an offset in parentheses ("(+0700)", from Vietnamese "(GMT+7)"), German's
    "Uhr" after a time and Russian's "МСК" as "MSK"; and a Solar Hijri date as its Gregorian day."""
    solar_zone = getattr(local, "key", "") in _SOLAR_HIJRI_ZONES
    if not text.isascii():  # (none of these changes ASCII text)
        persian_digits = _PERSIAN_DIGIT.search(text) is not None
        text = unicodedata.normalize("NFC", text).translate(_DIGITS).replace("،", ",")
        text = _LEVANTINE_MONTH.sub(r"\1_\2", text)
        if "г." in text or "р." in text:
            text = _YEAR_WORD.sub("", text)
        if "هـ" in text:  # (its year ends with هـ, "after the Hijra", where a site writes both)
            text = _HIJRI_DATE.sub("", text)
        # (Each tried only when the text has what it needs: a regex's search is ~1 µs.)
        if "." in text:
            text = _YMD_DOT.sub(r"\1", text)
        if "." in text or any(ending in text for ending in _THAI_FULL_MONTH_ENDINGS):
            text = _THAI_SHORT_YEAR.sub(r"\g<1>25\2", text)
        if "年" in text and getattr(local, "key", "") in _ROC_ZONES:
            text = _ROC_YEAR.sub(r"民國\1", text)
        if "ng" in text:
            text = _NGAY.sub("", text)
        if any(word in text for word in _BYLINE_WORDS):
            text = _CJK_BYLINE.sub("", text)
        if _JALALI_YEAR.search(text):
            text = _solar_hijri(text, _JALALI, persian_digits or solar_zone, local)
    elif solar_zone and _JALALI_YEAR.search(text):
        text = _solar_hijri(text, _JALALI_LATIN, year_first=True, local=local)
    if ("/" in text or "-" in text) and getattr(local, "key", "") in _ROC_ZONES:
        text = _ROC_NUMBERS.sub(lambda year: str(int(year.group()) + _ROC_YEAR_ZERO), text)
    if not text.isascii() or "thg" in text:
        text = _VIETNAMESE.sub(r"\1.\2.\3", text)
    if "." in text:
        text = _SPACED_YMD.sub(r"\1.\2.\3", _SPACED_DMY.sub(r"\1.\2.\3", text))
    if "h" in text:
        text = _H_TIME.sub(r"\1:\2", text)
    if "(" in text:
        text = _OFFSET_IN_PARENTHESES.sub(r"\1", text)
    if ":" not in text:  # RFC 822's time without its colon: "1500 GMT"
        text = _HHMM_BEFORE_ZONE.sub(r"\1 \2:\3", text)
    if "h" in text or "МСК" in text:  # "15:05 Uhr" (o'clock), "hs", "hrs"; Moscow's by name
        text = _UHR.sub(r"\1", text).replace("МСК", "MSK")
    return text


# Every decimal digit of the BMP that is not ASCII, as its ASCII digit (int() reads them, but
# email.utils does not, and a year must be found in the text as written: _rfc822).
_DIGITS = {
    c: ord("0") + unicodedata.digit(chr(c))
    for c in range(0x80, 0x10000)
    if unicodedata.category(chr(c)) == "Nd"
}
# Russian's and Bulgarian's "г." (год, year) and Ukrainian's "р." (рік) after a year: "07.12.2026
# г. в 15:05" (a month's name was read with it, as a word: "7 декабря 2026 г.").
_YEAR_WORD = re.compile(r"(?<=\d)\s*[гр]\.(?=[\s,]|$)")
_LEVANTINE_MONTH = re.compile(r"(كانون|تشرين)\s+(الأول|الاول|الثاني)")
# A lunar Hijri date, which no arithmetic reads (its months begin at a sighting of the moon),
# dropped where a site writes the Gregorian one beside it: "27 جمادى الآخرة 1448 هـ الموافق 7
# ديسمبر 2026 م" is 7 December. (Alone, nothing is left of it: unread, as before.)
_HIJRI_DATE = re.compile(
    r"(?<!\d)\d{1,2}\s+(?:محرم|صفر|ربيع\s+(?:الأول|الاول|الآخر|الاخر|الثاني)"
    r"|جمادى\s+(?:الأولى|الاولى|الآخرة|الاخرة|الثانية)|رجب|شعبان|رمضان|شوال|ذو\s+القعدة"
    r"|ذو\s+الحجة)\s+\d{4}\s*هـ"
)
# (Also without "ngày" and "năm", and Google's abbreviation: "15 tháng 6, 2026", "15 thg 6, 2026".)
_VIETNAMESE = re.compile(
    r"(?:ngày\s+)?(\d{1,2})\s+(?:tháng|thg)\s+(\d{1,2})(?:\s+năm|\s*,)?\s+(\d{4})", re.IGNORECASE
)
_SPACED_DMY = re.compile(r"(?<![\d.])(\d{1,2})\.\s+(\d{1,2})\.\s+(\d{4})\b")
_SPACED_YMD = re.compile(r"\b(\d{4})\.\s+(\d{1,2})\.\s+(\d{1,2})\.")
# Korean's closing dot, spaces or none: "입력 2026.12.07. 오후 12:15".
_YMD_DOT = re.compile(r"\b(\d{4}\.\d{1,2}\.\d{1,2})\.(?=\s|$)")
# Thai's month, abbreviated or full, with the Buddhist era's year in two digits: "7 ธ.ค. 69" and
# "7 ธันวาคม 69" are 2569 (2026). (Every full name ends so: มกราคม, เมษายน, กุมภาพันธ์.)
_THAI_SHORT_YEAR = re.compile(
    r"(?<!\S)((?:"
    + "|".join(re.escape(name) for name in _MONTHS if "\u0e00" <= name[0] <= "\u0e7f")
    + r")\.?\s+)(\d{2})(?!\d)"
)
_THAI_FULL_MONTH_ENDINGS = ("คม", "ยน", "พันธ์")
# The Republic of China's year without 民國, as Taiwan's sites write it: "115年12月7日" (2026), in
# Taiwan's zone only (elsewhere year 115 of ours, or a count of years: "成立115年").
_ROC_ZONES = frozenset({"Asia/Taipei", "ROC"})
_ROC_YEAR = re.compile(r"^(\d{2,3})(?=\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
# And in numbers, slashed or dashed: "115/12/07", "發布日期：115-12-07" (2026). Not dotted, a
# version's shape ("Chrome 115.12.07"), nor of two digits ("99/12/07": 1999 as much as 2010).
_ROC_YEAR_ZERO = 1911
_ROC_NUMBERS = re.compile(r"(?<![\w/.-])1\d\d(?=([/-])\d{1,2}\1\d{1,2}(?![\d/.-]))")
# Vietnamese "ngày" (day) before a numeric date: "Thứ bảy, ngày 21/11/2026 - 18:00".
_NGAY = re.compile(r"\bngày\s+(?=\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE)
# A Chinese date's source or author after it: "2026年07月15日 14:30 来源：人民网".
_BYLINE_WORDS = ("来源", "來源", "作者", "编辑", "編輯")
_CJK_BYLINE = re.compile(r"\s+(?:来源|來源|作者|编辑|編輯|责任编辑|責任編輯)[：:].*$")

# Solar Hijri (Iran's and Afghanistan's calendar): the Gregorian day it names, as ISO 8601 ("۱۶
# آذر ۱۴۰۵" is 2026-12-07): its years 1359-1420 (1980-2041). Its months by Iran's names, by
# Afghanistan's in Dari (the zodiac's: "۱۶ قوس ۱۴۰۵") and in Pashto ("۱۶ لیندۍ ۱۴۰۵"), each in
# either spelling of its yeh and kaf; and in Latin letters in Iran's and Afghanistan's zones only
# ("16 Qaws 1405", as Afghan sites in English write them: "Asad" is a name elsewhere).
# Also its numbers, year first: "۱۴۰۵/۰۹/۱۶" in Persian digits, or in ASCII ones
# from Iran's and Afghanistan's zones, "1403/09/17". (Not in Arabic-Indic digits or from another
# zone, nor a later year: 14xx may be the lunar Hijri year, ±1 day by sighting.)
_SOLAR_HIJRI_ZONES = frozenset({"Asia/Tehran", "Asia/Kabul", "Iran"})
# The last year read, named month or not (2041): 1441-1470 are the lunar Hijri years of 2020-2048,
# and no site dates an article decades ahead ("16 آذر 1446", a Persian month with a lunar year,
# was read as 2067-12-07).
_LAST_SOLAR_HIJRI_YEAR = 1420
_JALALI_MONTHS = (
    "فروردین حمل وری", "اردیبهشت ثور غویی", "خرداد جوزا غبرګولی غبرگولی",
    "تیر سرطان چنګاښ چنگاښ", "مرداد امرداد اسد زمری", "شهریور سنبله وږی", "مهر میزان تله",
    "آبان عقرب لړم", "آذر قوس لیندۍ لیندی", "دی جدی مرغومی", "بهمن دلو سلواغه", "اسفند حوت کب",
)  # fmt: skip
_JALALI_LATIN_MONTHS = (
    "hamal", "sawr saur", "jawza jauza", "saratan", "asad", "sonbola sunbula", "mizan", "aqrab",
    "qaws qaus", "jadi", "dalw", "hoot hut",
)  # fmt: skip
_JALALI_MONTH = {  # the name: its month's number
    name: index % 12 + 1
    for index, names in enumerate((*_JALALI_MONTHS, *_JALALI_LATIN_MONTHS))
    for name in names.split()
}


def _jalali_pattern(months: tuple[str, ...], flags: int = 0) -> re.Pattern[str]:
    """A day, one of `months`' names and a Solar Hijri year, the day's name before them too."""
    names = "|".join(name for spellings in months for name in spellings.split())
    return re.compile(
        r"(?:[^\W\d_]+(?:[\u200c ][^\W\d_]+)?,?\s+)?"  # the day's name: "سه‌شنبه ۱۲ اسفند ۱۴۰۴"
        r"(?<!\d)(\d{1,2})\s+("
        + names.replace("ی", "[یي]").replace("ک", "[کك]")  # (Arabic's yeh and kaf, as some type)
        + r")\s+(1[34]\d\d)(?!\d)",
        flags,
    )


_JALALI = _jalali_pattern(_JALALI_MONTHS)
_JALALI_LATIN = _jalali_pattern(_JALALI_LATIN_MONTHS, re.IGNORECASE)
_JALALI_NUMBERS = re.compile(r"(?<![\w/.-])(1[34]\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?![\d/.-])")
_PERSIAN_DIGIT = re.compile("[\u06f0-\u06f9]")
_JALALI_YEAR = re.compile(r"(?<!\d)1[34]\d\d(?!\d)")
_NO_PARENTHESES = str.maketrans("()", "  ")  # "16 آذر 1405 (7 December 2026)"
# What stands between the two dates, kept from neither: "1405/09/16 - 2026-12-07".
_BETWEEN_DATES = " " + "".join(_SEPARATORS)


def _solar_hijri(text: str, names: re.Pattern[str], year_first: bool, local: tzinfo) -> str:
    """`text` with a Solar Hijri date as its Gregorian one (ISO 8601): its month by one of the
    names `names` finds, or, when `year_first`, year first in numbers; ValueError for a day no
    month of it has. Where the Gregorian date is written beside it and names the same day ("۱۶
    آذر ۱۴۰۵ - ۷ دسامبر ۲۰۲۶"), that one alone, with its time; one of another day leaves both,
    unreadable."""
    if match := names.search(text):
        name = match.group(2).lower().replace("ي", "ی").replace("ك", "ک")
        numbers = (int(match.group(3)), _JALALI_MONTH[name], int(match.group(1)))
    elif year_first and (match := _JALALI_NUMBERS.search(text)):
        numbers = (int(match.group(1)), int(match.group(3)), int(match.group(4)))
    else:
        return text
    if numbers[0] > _LAST_SOLAR_HIJRI_YEAR:
        return text
    gregorian = _jalali_to_gregorian(*numbers)
    beside = text[: match.start()] + " " + text[match.end() :]
    beside = beside.translate(_NO_PARENTHESES).strip(_BETWEEN_DATES)
    if _YEAR.search(beside):
        with contextlib.suppress(ValueError, OverflowError):
            when = _reading(beside, local)[0]
            if when is not None and when.date() == gregorian:
                return beside
    return text[: match.start()] + gregorian.isoformat() + text[match.end() :]


def _jalali_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian day of a Solar Hijri one, by the 33-year arithmetic rule (Iran's calendar
    from 1178 to 1634): 1 Farvardin is the day after the last of Esfand, 29 days long, or 30 in a
    leap year."""
    if not 1359 <= year <= 1472:  # (1980-2094: where the rule below holds)
        raise ValueError(f"a Solar Hijri year out of range: {year}")
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        raise ValueError(f"no Solar Hijri day {year}-{month}-{day}")
    if month == 12 and day == 30 and not _jalali_leap(year):
        raise ValueError(f"{year} is no Solar Hijri leap year")
    return _nowruz(year) + timedelta(days=(month - 1) * 31 - max(0, month - 7) + day - 1)


def _jalali_leap(year: int) -> bool:
    """The 33-year rule, which is the astronomical calendar's from 1244 to 1472 (1403 a leap
    year, where the 2820-year rule made it 1404)."""
    return year % 33 in (1, 5, 9, 13, 17, 22, 26, 30)


def _nowruz(year: int) -> date:
    """1 Farvardin of `year`: 1 Farvardin 1404 was 21 March 2025, each year after 365 days on,
    366 after a leap year."""
    days = sum(366 if _jalali_leap(y) else 365 for y in range(min(year, 1404), max(year, 1404)))
    return date(2025, 3, 21) + timedelta(days=days if year >= 1404 else -days)


_H_TIME = re.compile(r"(?<![\w:])(\d{1,2}) ?h ?(\d{2})\b")  # (Quebec's "15 h 05")
# A day, a month's name, a year (RFC 822's two digits too), then an hour and minutes without
# their colon, then a zone: the Herald Sun's "03 Apr 02 1500 GMT".
_HHMM_BEFORE_ZONE = re.compile(
    r"(\b\d{1,2} [A-Za-z]{3} \d{2}(?:\d{2})?) ([01]\d|2[0-3])([0-5]\d)"
    r"(?= (?:[A-Za-z]{1,5}|[+-]\d{4})$)"
)
_UHR = re.compile(r"(\d{1,2}[:.]\d{2})\s*(?:Uhr|hrs?|hs)\b")
_OFFSET_IN_PARENTHESES = re.compile(r"\((\s*[+-]\d{4}\s*)\)$")


# A time before its date, as some CMSs write it: "14:33 10.01.2020", "2:33 PM EST, Jan 10,
# 2020" (unreadable, or feedparser's guess at today's date, before). Its zone's name goes with it.
# A label may come first, and goes: CNN's "Updated 2:33 PM EST, Fri January 10, 2020".
_TIME_FIRST = re.compile(
    r"(?:[^\W\d_]{2,12}:?\s+)?"
    r"(\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,5})?)\s*,?\s+(\S.*)"
)
# A day's name before a date of numbers: "Mon, 2020-01-10 14:33", "Friday, 10/01/2020".
# Two words too: Vietnamese "Thứ Ba, 01/12/2026", and its numbered days, "Thứ 2" (Monday). Or a
# label and its colon: "Stand: 01.12.2026 15:05 Uhr", "Updated: 2026-12-01 15:05", "更新时间：…",
# or of two words, the first up to 16 letters: "Veröffentlicht am 22.10.2026 um 16:45 Uhr".
_DAY_BEFORE_NUMBERS = re.compile(
    r"(?:(?:[^\W\d_]{1,16}\s)?[^\W\d_]{2,12}\.?|[Tt]hứ\s[2-7])(?:[,:]?\s+|：\s*)"
    r"(?=\d{1,4}[-/.]\d)"
)


def _from_match(match: re.Match[str], local: tzinfo) -> tuple[datetime | None, bool]:
    parts = match.groupdict()
    year, month, day = int(parts["y"] or 0), int(parts["m"]), int(parts["d"])
    if match.re is _DMY_SHORT:  # "07.12.26": 2026 ("98": 1998, MIN_YEAR being 1980)
        year += 1900 if year >= MIN_YEAR % 100 else 2000
    if era := parts.get("era"):  # 令和8年: the eighth year of Reiwa (元年, its first)
        if len(parts["ey"]) > 2 and _ERA_STARTS[era[-2:]] != _ERA_STARTS["民國"]:
            return None, False  # (only the Republic of China's years have three digits)
        year = _ERA_STARTS[era[-2:]] - 1 + (1 if parts["ey"] == "元" else int(parts["ey"]))
    meridiem = parts.get("ampm") or parts.get("ampm_first") or ""
    if match.re in (_MDY, _DMY) and month > 12 >= day:
        month, day = day, month  # 25/12/2020, 12-25-2020: the other way round after all
    elif match.re is _MDY and month != day <= 12 and _day_first(year, local, bool(meridiem)):
        month, day = day, month  # 01/12/2026: 1 December in Hanoi, Paris or Mexico City
    hour, minute, second = (int(parts.get(k) or 0) for k in ("h", "mi", "s"))
    ampm = _AM_PM.get(meridiem.lower().replace(".", ""), "")
    day_only = parts.get("h") is None and not ampm
    if ampm:
        # Japanese clocks count 0 to 11 after 午前/午後 and before AM/PM (午前0時15分 and "0:15 AM":
        # 00:15; 午後0時 and "0:15 PM": noon), as others count 12, 1 to 11. "13:05 PM" says 13:05
        # twice; "14:30 AM" one time and another: unreadable, not feedparser's guess (1 December).
        if hour <= 12:
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        elif ampm == "am":
            raise ValueError(match.string)
    elif day_only:
        hour = DAY_ONLY_HOUR
    # Fractions of a second are dropped, as feedparser drops them (stored dates stay the same).
    zone_info = _offset(parts.get("zone"), local)
    return _build(year, month, day, hour, minute, second, zone_info), day_only


# The years the Japanese eras began (a date of 令和 or 平成 as Japanese sites write it), and the
# Republic of China's (中華民國, in either script).
_ERA_STARTS = {"令和": 2019, "平成": 1989, "民國": 1912, "民国": 1912}
# The zones of countries that write a slashed date month first (the United States, the
# Philippines), and those where nothing says which: UTC, a fixed offset, year-first countries
# whose slashed day-month dates come from en-US software defaults, and Canada, which writes both.
_MONTH_FIRST_ZONES = re.compile(
    r"America/(?:New_York|Chicago|Denver|Phoenix|Los_Angeles|Anchorage|Adak|Boise|Detroit|"
    r"Juneau|Sitka|Nome|Yakutat|Metlakatla|Menominee|Indiana/.*|Kentucky/.*|North_Dakota/.*)"
    r"|Pacific/Honolulu|US/.*|Asia/Manila|(?:EST|MST|HST)(?:5EDT|7MDT|6CDT|8PDT)?|[CEMP]ST\d[CEMP]DT"
)
_UNSAID_ZONES = re.compile(
    r"|UTC|Etc/.*|GMT|Asia/(?:Shanghai|Chongqing|Harbin|Urumqi|Taipei|Tokyo|Seoul|Pyongyang)|"
    r"America/(?:Toronto|Vancouver|Edmonton|Winnipeg|Halifax|St_Johns|Regina|Montreal|Moncton|"
    r"Whitehorse|Yellowknife|Iqaluit|Glace_Bay|Goose_Bay)|Canada/.*"
)


def _day_first(year: int, local: tzinfo, meridiem: bool) -> bool:
    """Whether a slashed date whose day and month could be either ("03/04/2026") is day first:
    in the source's zone's country (Hanoi, Paris, Mexico City yes; New York, Manila no), and a
    Thai year of the Buddhist era ("5/3/2567") is. Where the zone does not say, a date with AM or
    PM is ASP.NET's en-US, month first; any other is refused (ValueError): a UK feed's 3 April
    read as 4 March is worse than a date of when it was first seen."""
    if year > MAX_YEAR:
        return True
    key = getattr(local, "key", "")
    if _MONTH_FIRST_ZONES.fullmatch(key):
        return False
    if not _UNSAID_ZONES.fullmatch(key):
        return True
    if meridiem:
        return False
    raise ValueError("a day and a month that could be either, and nothing says which")


_AM_PM = {
    "am": "am", "pm": "pm", "오전": "am", "오후": "pm",
    "上午": "am", "早上": "am", "午前": "am",
    "下午": "pm", "中午": "pm", "晚上": "pm", "午後": "pm",
}  # fmt: skip


def _standard_offset(zone_info: tzinfo) -> timedelta | None:
    """The zone's offset in January (a fixed instant: this module stays pure)."""
    return datetime(2024, 1, 15, tzinfo=UTC).astimezone(zone_info).utcoffset()


_ZONE_COMMENT = re.compile(r"(?<=[\dA-Za-z]) \([^()\d]+\)$")
# Java's ZonedDateTime names its zone after the time: "2020-01-10T14:33+08:00[Asia/Shanghai]",
# "2020-01-10T14:33Z[UTC]"; without an offset, that zone is the date's. So does a zone's IANA
# name written in place of the offset ("Fri, 31 Mar 2023 20:19:00 America/Los_Angeles", a
# feed of Miniflux's users: read as UTC, seven hours off).
_ZONE_ID = re.compile(r"(?<=[\dZ])\[([\w/+-]+)\]$|(?<=\d) ([A-Z][a-z]+(?:/[A-Za-z_+-]+)+)$")
# GMT or UTC and an offset, as JavaScript ("GMT+0800"), Java ("GMT+08:00 2020", before the
# year) and people ("GMT+8", "UTC-5", "GMT+5:30") write it: the offset alone.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC) ?([+-])(\d{1,2})(?::?(\d{2}))?(?![\d:])", re.IGNORECASE)
# Seconds (or JavaScript's milliseconds) since 1970, as some hand-made feeds write a date: from
# 2001-09-09 (1,000,000,000 s) to 2030-03-17 (1,900,000,000 s), ten digits that no year-first
# date has ("2020011014" and "1998011014" are days to the hour, 2034 and 2033 as seconds).
_EPOCH = re.compile(r"1[0-8]\d{8}|1[0-8]\d{11}")


# The usual form with a zone's name for its offset ("Tue, 01 Jun 2021 10:00:00 PST"): read at
# once, as `_rfc822` reads it token by token (tests/test_dates.py checks that they agree). A
# US site's feed writes its every date so: 1,223 of a cold round's 3,184 went through the walk,
# ~25 us each. (Years from 1000: parsedate_tz makes "0050" 2050.)
_USUAL_NAMED_ZONE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (" + "|".join(MONTH_ABBREVIATIONS) + ") "
    r"([1-9][0-9]{3}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([A-Z]{1,5})"
)


def _named_zone(match: re.Match[str], local: tzinfo) -> tuple[datetime | None, bool] | None:
    """_rfc822's reading of a _USUAL_NAMED_ZONE date; None when a word of it is read otherwise
    there (a month's name where the source is, a zone's name it does not know): read it so."""
    day, month, year, hour, minute, second, name = match.groups()
    word = name.lower()
    months = _ZONE_MONTHS.get(getattr(local, "key", ""), {})
    if _MONTHS.get(month.lower()) != month or month.lower() in months:
        return None
    if word in months or word in _MONTHS:
        return None
    if (offset := _zone_offset(word, local)) is None:
        return None
    numbers = (int(year), MONTH_ABBREVIATIONS.index(month) + 1, int(day))
    zone_info = timezone(_offset_delta(offset))
    return _build(*numbers, int(hour), int(minute), int(second), zone_info), False


def _usual_rfc822(match: re.Match[str]) -> datetime | None:
    day, month, year, hour, minute, second, zone = match.groups()
    offset = timedelta(0) if zone.isalpha() else _offset_delta(zone)
    numbers = (int(year), MONTH_ABBREVIATIONS.index(month) + 1, int(day))
    return _build(*numbers, int(hour), int(minute), int(second), timezone(offset))


def _gmt_offset(match: re.Match[str]) -> str:
    sign, hours, minutes = match.groups()
    return f"{sign}{int(hours):02d}{minutes or '00'}"


def _from_epoch(number: int) -> datetime:
    """Seconds since 1970, or milliseconds (13 digits): _EPOCH keeps them within 2001-2030."""
    seconds = number / 1000 if number >= 10**12 else number
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=0)


def _offset(zone_text: str | None, local: tzinfo) -> tzinfo:
    if not zone_text:
        return local
    zone_text = zone_text.split()[0]  # "+0800 CST": the offset says it
    if zone_text.isalpha():
        zone_text = _zone_offset(zone_text.lower(), local) or ""
        if not zone_text:
            raise ValueError("a zone we do not know")  # feedparser's reading stands, if any
    return timezone(_offset_delta(zone_text))


def _offset_delta(offset: str) -> timedelta:
    """ "+0530", "+05:30", "-08" as a timedelta; ValueError for one no zone has (beyond ±14 h,
    or 60 minutes or more)."""
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"no zone is {offset} from UTC")
    return sign * timedelta(hours=hours, minutes=minutes)


def _build(
    year: int, month: int, day: int, hour: int, minute: int, second: int, zone_info: tzinfo
) -> datetime | None:
    if 2540 <= year <= 2643:  # 1997-2100 in the Buddhist era: no Gregorian year we accept
        year -= BUDDHIST_ERA  # (Thai sites write 2567 for 2024)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    # (Month 13, day 40, hour 25 or 24:01: ValueError, the date impossible.) A leap second, which
    # RFC 3339 and RFC 5322 allow ("23:59:60Z"), is the next second's start, as feedparser reads it:
    # thrown away, the article was dated when first seen and topped its category.
    leap = second == 60
    if hour == 24 and minute == second == 0:  # ISO 8601's end of the day: the next one's start
        return datetime(year, month, day, tzinfo=zone_info) + timedelta(days=1)
    when = datetime(year, month, day, hour, minute, 59 if leap else second, tzinfo=zone_info)
    return when + timedelta(seconds=1) if leap else when


# (Greek's π.μ./μ.μ.; Arabic's ص/م and their words, "صباحاً" with its mark as written.)
_MERIDIEMS = {
    "am": "am", "a.m": "am", "pm": "pm", "p.m": "pm", "π.μ": "am", "μ.μ": "pm",
    "ص": "am", "صباحا": "am", "صباحاً": "am", "م": "pm", "مساء": "pm", "مساءً": "pm",
}  # fmt: skip
_YEAR_FIRST = re.compile(r"\d{4}")
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er)\.?", re.IGNORECASE)  # French "1er"
_MERIDIEM_GLUED = re.compile(r"(\d:\d\d(?::\d\d)?)([ap]\.?m\.?)(?=\s|$)", re.IGNORECASE)
# An offset or zone written against the time: "13:30:33+0900" (ACN Newswire's feeds), which
# parsedate_tz reads as a time alone, nine hours off; "15:04:05MST". After seconds only, and of
# hours and minutes: "10:00-12:00" is a range of times, not 10:00 at -12:00.
_OFFSET_GLUED = re.compile(r"(\d:\d\d:\d\d)([+-]\d\d:?\d\d|[A-Za-z]{1,5})(?=\s|$)")


# RFC 850's day, as old HTTP servers and some feeds write it: "Sunday, 06-Nov-94 08:49:37 GMT".
# RFC 850's day-month-year, and RFC 822's with an English month ("03 Apr 02 15:00 GMT").
_RFC850_DAY = re.compile(
    r"\b\d{1,2}-[A-Za-z]{3}-(\d{2})\b"
    r"|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}) "
)


def _written_short(year: int, text: str) -> bool:
    """Whether `text` writes `year` in two digits where no other reading of them is possible:
    RFC 850's day-month-year (parsedate_tz reads "94" as 1994 and "20" as 2020)."""
    return any(int(a or b) == year % 100 for a, b in _RFC850_DAY.findall(text))


def _zone_offset(name: str, local: tzinfo) -> str | None:
    """The offset ("+0900") a lower-case zone name stands for, or None for a name we do not know.
    A name of several zones is the source's own when its zone is one of them (a source in
    China's zone means its own CST, one in Israel's its IST)."""
    if name == "cst" and _standard_offset(local) == _CHINA_OFFSET:
        return "+0800"  # a source in China's zone means its own CST
    own = _OWN_MEANINGS.get(name, {}).get(getattr(local, "key", ""))
    return own or _ZONE_OFFSETS.get(name)


def _fold(token: str) -> str:
    """A token as _MONTHS and _MERIDIEMS spell it: lower case, no final dot, Turkish "İ" as "i",
    and Greek without its accents ("ΔΕΚΕΜΒΡΊΟΥ", "Δεκεμβρίου": "δεκεμβριου")."""
    word = token.lower().rstrip(".").replace("\u0307", "")
    if not word.isascii() and _GREEK.search(word):
        word = "".join(
            c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)
        )
    return word


_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")


def _rfc822(text: str, local: tzinfo) -> tuple[datetime | None, bool]:
    """RFC 822 dates, with month and day names in English or in the site's own language, and the
    zone where they write it: after the time (an offset, "+05:30" too, or a name), or before
    the year as Go, ctime and Twitter write it ("Mon Dec 02 10:00:00 -0800 2024")."""
    words: list[str] = []
    has_month = zoned = timed = False  # timed: the time is among `words` already
    meridiem = ""  # "am" or "pm": "Sat, Dec 16 2023 02:02:33 PM" (NBC) is 14:02
    if ":" in text:  # (the glued forms are of a time)
        text = _OFFSET_GLUED.sub(r"\1 \2", _MERIDIEM_GLUED.sub(r"\1 \2", text))
    tokens = (_ERA_GLUED.sub(r"\1 ", text) if "ศ" in text else text).split()
    if (
        len(tokens) > 1
        and (
            (tokens[0].endswith(",") and _WORD.fullmatch(tokens[0][:-1]))
            or _fold(tokens[0]) == "mar"  # (and before another month: "mar 01 dic 2026")
        )
        and any(_fold(t.rstrip(",")) in _MONTHS for t in tokens[1:])
    ):
        del tokens[0]  # a day name: "mar.," is Tuesday in French and Spanish, not March
    for token in " ".join(tokens).replace(",", " ").split():
        if ordinal := _ORDINAL.fullmatch(token):  # "2nd January 2006", "March 3rd"
            token = ordinal.group(1)
        word = _fold(token)
        if token in _SEPARATORS:
            continue  # Drupal's "Friday, January 10, 2020 - 14:33"
        if word in _ERAS:
            continue  # "5 มี.ค. พ.ศ. 2567": the year says which era (_build)
        if word in _MERIDIEMS and words and ":" in words[-1]:  # right after the time only:
            meridiem = _MERIDIEMS[word]  # "Am 16. Dezember 2023 um 12:30" is German, at noon
            continue
        offset_text = (
            _zone_offset(word, local)
            if (timed or word in ("gmt", "utc")) and (word not in _WORDS_TOO or token.isupper())
            else None
        )
        if named := _ZONE_MONTHS.get(getattr(local, "key", ""), {}).get(word, _MONTHS.get(word)):
            words.append(named)
            has_month = True
        elif offset_text or _OFFSET.fullmatch(token):
            if not offset_text:
                digits = token[1:].replace(":", "")
                digits = "0" + digits if len(digits) == 3 else digits.ljust(4, "0")
                offset_text = token[0] + digits  # "+08": "+0800", "-700": "-0700"
            _offset_delta(offset_text)  # (one no zone has: ValueError)
            words.append(offset_text)
            zoned = True
        elif _WORD.fullmatch(token.rstrip(":")):
            continue  # a day name (Mon, Lun., Montag, 星期一), or "de" in "10 de enero"
        elif timed and ":" in token:
            break  # a second time: the end of a range ("9:00 am - 5:00 pm"), not this date's
        else:
            words.append(token.rstrip(".") if token[:-1].isdigit() else token)
            timed = timed or ":" in token
    if not has_month and not _ENGLISH_MONTH.search(text):
        return None, False
    if len(words) > 2 and _YEAR_FIRST.fullmatch(words[0]) and words[1] in MONTH_ABBREVIATIONS:
        words[0], words[2] = words[2], words[0]  # "2006 January 02": feedparser made it Dec 1
    elif len(words) > 2 and _YEAR_FIRST.fullmatch(words[0]) and words[2] in MONTH_ABBREVIATIONS:
        words[:3] = words[1], words[2], words[0]  # Latvian "2026. gada 1. decembrī"
    day_only = not any(":" in word for word in words)
    if day_only:
        words.append(f"{DAY_ONLY_HOUR}:00:00")  # a date alone: parsedate_tz wants a time
    parts = email.utils.parsedate_tz(" ".join(words))
    if parts is None:
        return None, False
    year, month, day, hour, minute, second, *_, offset = parts
    if meridiem and hour <= 12:  # ("14:00 PM" says 14:00 twice; "0:30 PM" is 12:30: _from_match)
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif meridiem == "am":  # (not feedparser's reading either: "14:30 AM": the hour says one
        raise ValueError(text)  # time, AM another)
    if str(year) not in text and not _written_short(year, text):
        return None, False  # parsedate_tz made year 1 into 2001, or 20 into 2020: feedparser's
    zone_info = timezone(timedelta(seconds=offset or 0)) if zoned else local
    return _build(year, month, day, hour, minute, second, zone_info), day_only
