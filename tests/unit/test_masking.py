"""Masking hides residents' personal data, in their own words, and keeps what traces a
contact (references, conversation ids) and what the council publishes."""

from __future__ import annotations

import pytest

from contracts.masking import LABELS, mask
from contracts.masking.dates import BIRTH_YEARS_BEFORE

# Contact details -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("email me at jane.doe+bins@example.co.uk please", "email me at [email] please"),
        ("J.SMITH@Northbridge.gov.uk", "[email]"),
    ],
)
def test_email_addresses_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "number",
    [
        "01632 960123",
        "01632960123",
        "+44 1632 960123",
        "+441632960123",
        "07700 900123",
        "07700-900-123",
        "07700 900 123",
        "020 7946 0123",
        "020-7946-0123",
        "+44 (0)20 7946 0123",
        "0044 20 7946 0123",
        "0113 496 0000",
        "(01632) 960123",
        "07700 90 01 23",
    ],
)
def test_uk_phone_numbers_are_masked_with_or_without_spaces_and_dashes(number):
    assert mask(f"call me on {number} after six") == "call me on [phone] after six"


@pytest.mark.parametrize("postcode", ["NB4 2QT", "nb42qt", "Nb4  2qT", "SW1A 1AA", "sw1a1aa", "M1 1AE"])
def test_uk_postcodes_are_masked_in_any_case_and_spacing(postcode):
    assert mask(f"I live in {postcode}, near the park") == "I live in [postcode], near the park"


# Identity and payment numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["QQ123456C", "QQ 12 34 56 C", "qq 12 34 56 c", "AB123456A", "JG 103759 B", "nh-62-14-83-a", "CE 30 11 78"],
)
def test_national_insurance_numbers_are_masked_in_any_case_and_spacing(number):
    assert mask(f"my NI number is {number} thanks") == "my NI number is [ni number] thanks"


@pytest.mark.parametrize("text", ["DA 12 34 56 C", "GB123456A", "TV 12 34 56 A", "at 123456 people", "FO123456B"])
def test_letters_and_digits_outside_the_ni_prefix_rules_are_not_ni_numbers(text):
    assert "[ni number]" not in mask(text)


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919", "401 023 2137"])
def test_nhs_numbers_with_a_valid_check_digit_are_masked(number):
    assert mask(f"the number on my letter is {number}.") == "the number on my letter is [nhs number]."


def test_an_nhs_number_after_its_lead_in_is_masked_whatever_its_check_digit():
    assert mask("NHS no: 123 456 7890") == "NHS no: [nhs number]"


def test_a_ten_digit_number_failing_the_nhs_check_is_hidden_but_not_labelled_an_nhs_number():
    assert mask("the number is 943 476 5918") == "the number is [number]"
    assert mask("the number is 9434765918") == "the number is [account]"


def test_a_lead_in_names_a_number_better_than_a_check_digit():
    assert mask("universal credit claim ID 9876543210") == "universal credit claim ID [reference number]"


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111111111111111", "5555-5555-5555-4444", "3782 822463 10005", "6011 0009 9013 9424"],
)
def test_card_numbers_passing_luhn_are_masked_in_any_grouping(card):
    assert mask(f"I paid with {card} yesterday") == "I paid with [card] yesterday"


def test_digits_failing_luhn_are_hidden_but_not_labelled_a_card():
    assert mask("code 4111111111111112") == "code [number]"


def test_a_mistyped_card_number_printed_like_a_card_is_still_a_card():
    assert mask("my visa 4929 1234 5678 9012") == "my visa [card]"


# Dates of birth --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("DOB 01/02/1980", "DOB [date of birth]"),
        ("d.o.b. 1.2.80", "d.o.b. [date of birth]"),
        ("D.O.B: 1980-02-01", "D.O.B: [date of birth]"),
        ("date of birth: 1st February 1980", "date of birth: [date of birth]"),
        ("born on the 3rd of May 1975", "born on [date of birth]"),
        ("he was born 12/09/2013", "he was born [date of birth]"),
        ("my birthday is 14th July", "my birthday is [date of birth]"),
        ("she was born in 1942", "she was born in [date of birth]"),
        ("born in March 1950", "born in [date of birth]"),
        ("dob Feb 1st, 1980", "dob [date of birth]"),
    ],
)
def test_a_date_after_a_birth_lead_in_is_masked_with_or_without_its_year(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("date", ["01/02/1980", "1 February 1980", "2 June 1936", "11 Nov 1969", "3/4/51", "1 Feb '80"])
def test_a_full_date_too_old_to_be_an_event_is_taken_as_a_birth_date(date):
    assert mask(f"my mum, {date}, needs a carer") == "my mum, [date of birth], needs a carer"


@pytest.mark.parametrize(
    "text",
    [
        "missed on 01/12/2026",
        "can you come on 3 March",
        "missed on 3 March 2026 again",
        "is the tip open on 1 January 2027",
        "collected on 2026-11-22",
        "Friday 14th",
        "every 2 weeks from 1 April to 30 November",
        "since 2019",
        "built in 1930",
        "born and raised in Northbridge",
        "my son is 16",
        "3 March 10 bins were left",
    ],
)
def test_ordinary_event_dates_and_years_are_kept(text):
    assert mask(text) == text


def test_the_birth_year_cut_off_is_a_fixed_year():
    year = BIRTH_YEARS_BEFORE
    assert mask(f"on 1/2/{year - 1}") == "on [date of birth]"
    assert mask(f"on 1/2/{year}") == f"on 1/2/{year}"


# Vehicles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reg", ["AB12 CDE", "ab12cde", "KN17 WFA", "vx64 hpd", "A123 BCD", "P12ABC", "ABC 123D", "XYZ 1A"]
)
def test_current_prefix_and_suffix_registrations_are_masked(reg):
    assert mask(f"a car {reg} is parked on the verge") == "a car [vehicle] is parked on the verge"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("reg a123 bcd", "reg [vehicle]"),
        ("the number plate was T 567 DEF", "the number plate was [vehicle]"),
        ("reg AB 12 CDE", "reg [vehicle]"),
    ],
)
def test_registrations_in_any_case_and_spacing_are_masked_after_reg(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the A34 and the M6 are busy",
        "the A123 is closed",
        "M62 junction 3",
        "THE 12A BUS IS LATE",
        "I'VE CALLED 5 TIMES",
        "NB4 2QT",
        "ISO-8601 dates",
        "mp3 file",
    ],
)
def test_road_numbers_postcodes_and_shouting_are_not_registrations(text):
    assert "[vehicle]" not in mask(text)


# Addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I live at 12 Acacia Road, NB4 2QT", "I live at [address], [postcode]"),
        ("12a high street", "[address]"),
        ("5 St Mary's Road", "[address]"),
        ("bins missed at 3 Old Mill Close again", "bins missed at [address] again"),
        ("flat at 221 Baker St.", "flat at [address]"),
        ("44 Long Acre Way", "[address]"),
        ("7 Northbridge Hill", "[address]"),
        ("flat 3, 45 high st, mould", "[address], mould"),
        ("new address 3 The Paddocks, please", "new address [address], please"),
        ("33a kingsway northbridge", "[address] northbridge"),
        ("recycling not collected at flat 4 Harbour Court", "recycling not collected at [address]"),
    ],
)
def test_street_addresses_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I live at Rose Cottage, Mill Lane", "I live at [address]"),
        ("Flat 2 Willow House, Park Road", "[address]"),
        ("Flat 6 Kestrel House, Tower Street, mob", "[address], mob"),
        ("Bramble Cottage Hollow Lane", "[address]"),
        ("I live at The Old Forge, Church Street now", "I live at [address] now"),
        ("send it to 'Sunnyside', Croft Road please", "send it to [address] please"),
        ("address is Hillcrest, Beech Grove", "address is [address]"),
        ("The Coach House, 4 Mill Street", "[address], [address]"),
        ("I live in Rose Cottage", "I live in [address]"),
        ("I live at Hillcrest.", "I live at [address]."),
        ("my address is The Laurels", "my address is [address]"),
    ],
)
def test_house_names_with_their_street_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the potholes on Mill Lane are awful",
        "the bus shelter on Station Road has been smashed",
        "The Town Hall on Market Square is closed",
        "Northbridge Town Hall, Market Square",
        "the cottage, mill lane and the farm",
        "Hello, Church Street is flooded",
        "I live at Mill Lane",
        "I live in Eastgate",
        "I live at the end of the road",
    ],
)
def test_streets_without_a_house_number_or_house_name_are_kept(text):
    assert mask(text) == text


# References ------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["12345678", "123456789", "1234567890", "CT12345678", "ct 123456", "CT-0012345"])
def test_council_tax_account_references_are_masked(account):
    assert mask(f"my account is {account}.") == "my account is [account]."


def test_an_account_number_after_its_lead_in_is_masked_in_any_grouping():
    assert mask("acc no 500 123 4567 for council tax") == "acc no [account] for council tax"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my claim reference is HB/123456", "my claim reference is [reference number]"),
        ("UC-1234567 is my claim", "[reference number] is my claim"),
        ("housing benefit claim number 12345678", "housing benefit claim number [reference number]"),
        ("claim no. 55 123 456", "claim no. [reference number]"),
        ("free school meals reference FSM20417", "free school meals reference [reference number]"),
        ("ref HBC/88213/4", "ref [reference number]"),
        ("crisis grant ref LWA-40931", "crisis grant ref [reference number]"),
        ("pip ref pip 1234567", "pip ref [reference number]"),
        ("my HB ref no is 45678-9", "my HB ref no is [reference number]"),
        ("tenancy ref TEN/004567", "tenancy ref [reference number]"),
    ],
)
def test_benefit_and_claim_references_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("number", ["1234567", "12345678901", "123456789012345", "123 456 789", "12 3456 7890"])
def test_other_long_numbers_are_masked(number):
    assert mask(f"the number on the letter is {number}") == "the number on the letter is [number]"


# Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my name is Jane Smith, thanks", "my name is [name], thanks"),
        ("My name is jane smith.", "My name is [name]."),
        ("my name is Mrs Jane Smith", "my name is [name]"),
        ("my name's Priya and", "my name's [name] and"),
        ("Hi, I'm called Bob", "Hi, I'm called [name]"),
        ("I’m called Bob", "I’m called [name]"),
        ("this is Priya Patel about my bins", "this is [name] about my bins"),
        ("Name: Jane Doe", "Name: [name]"),
        ("name:jane", "name:[name]"),
    ],
)
def test_a_name_after_a_lead_in_is_masked_and_the_lead_in_kept(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm Sarah Jones and my bin is missing", "I'm [name] and my bin is missing"),
        ("Hello, I'm Mohammed Iqbal, landlord", "Hello, I'm [name], landlord"),
        ("im dave, my recycling wasnt taken", "im [name], my recycling wasnt taken"),
        ("Sarah here, about my bin", "[name] here, about my bin"),
        ("hi there, Ben Adeyemi here, can i", "hi there, [name] here, can i"),
        ("hello it's Mrs Patel again", "hello it's [name] again"),
        ("it's Dave from number 4", "it's [name] from number 4"),
        ("hiya its shannon lol", "hiya its [name] lol"),
        ("Ms Hollis here. Still waiting", "[name] here. Still waiting"),
        ("message from Jan Kowalski: please", "message from [name]: please"),
        ("her name is Betty", "her name is [name]"),
        ("Can I speak to Priya please", "Can I speak to [name] please"),
        ("from Mrs J Thompson", "from [name]"),
    ],
)
def test_names_after_introductions_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thanks, Margaret", "Thanks, [name]"),
        ("regards, Dave Holt", "regards, [name]"),
        ("cheers Kev", "cheers [name]"),
        ("bins not done again. cheers, kev", "bins not done again. cheers, [name]"),
        ("Kind regards, Philip", "Kind regards, [name]"),
        ("Thank you, Fiona Mackenzie", "Thank you, [name]"),
        ("Yours sincerely, Edith Brampton (Mrs)", "Yours sincerely, [name] (Mrs)"),
        ("lovely today ta Bernie x", "lovely today ta [name] x"),
        ("sorting the streetlight mate - Gaz", "sorting the streetlight mate - [name]"),
        ("abandoned for a month, from Pete", "abandoned for a month, from [name]"),
        ("still got a letter. Tom, 07700 900 145", "still got a letter. [name], [phone]"),
        ("Best, Ann", "Best, [name]"),
        ("Many thanks, J. Smith", "Many thanks, [name]"),
        ("Thank u Helen", "Thank u [name]"),
        ("thankyou, Jean", "thankyou, [name]"),
        ("Sent by Amir Khan", "Sent by [name]"),
        ("Regards,\nPaul", "Regards,\n[name]"),
    ],
)
def test_names_in_sign_offs_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mrs Smith next door", "[name] next door"),
        ("Mr O'Neill at the end of the road", "[name] at the end of the road"),
        ("mrs smith next door", "[name] next door"),
        ("ask Dr. Khan", "ask [name]"),
        ("Miss Brown", "[name]"),
        ("my neighbour Mrs Okafor asked", "my neighbour [name] asked"),
        ("my son Liam has been offered", "my son [name] has been offered"),
        ("on behalf of my nan, Doreen Tuck, she", "on behalf of my nan, [name], she"),
    ],
)
def test_names_after_a_title_or_a_relation_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sure",
        "I'm fine thanks",
        "I'm having trouble paying",
        "I'm over 80",
        "I'm a landlord",
        "im off work on the 15th",
        "im outside, where are you",
        "this is about my bin",
        "this is urgent",
        "this is not right",
        "this is ridiculous, third time",
        "it's Tuesday and my bins",
        "It's Christmas Eve",
        "hi its broken again",
        "Parking here is a nightmare",
        "Rubbish here is piling up",
        "Someone here keeps dumping",
        "thanks, that helps a lot",
        "thanks so much",
        "thanks for your help",
        "Thanks, I'll try that",
        "Thanks, Northbridge Council, the new bins",
        "cheers for that, really helpful",
        "regards the noise complaint",
        "ta-ra",
        "I need a taxi",
        "they miss collections",
        "took 1500 ms since start",
        "my name's on the tenancy",
        "my name is spelt wrong on the register",
        "debt advice, for example from Citizens Advice",
        "moving from Mill Road to the other side",
        "- Income Support",
        "Dear Sir or Madam",
        "Landlord here. My tenant has moved out",
        "ta ra",
        "Me and my Mrs here are fed up",
        "I'm Polish and need a translator",
        "Cheers, see you Monday",
        "I moved here from Leeds in June",
        "Sent from my iPhone",
        "Is it Mr or Mrs on the form?",
        "Can I speak to Environmental Health",
        "I want to talk to Council Tax",
        "the bin was emptied by Veolia",
        "written by my solicitor",
    ],
)
def test_ordinary_words_after_lead_ins_are_not_names(text):
    assert mask(text) == text


def test_only_two_words_are_taken_as_the_name():
    assert mask("my name is Jane Smith Jones") == "my name is [name] Jones"


# What is kept ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "we open at 08:30 and close at 17:00",
        "you owe £1,234.56",
        "a fine of £12345678.00",
        "on 01-02-2026 10:30",
        "1,234,567 people live here",
        "I have 3 bins",
        "I have 3 bins close by",
        "left 2 bags by the way",
        "it's a 10 minute walk",
        "ref NB-2026-000123 is open",
        "ref nb 2026 000123 is open",
        "ref NB2026000123 is open",
        "conversation c_AbC123xyz789-_Q closed",
        "room 12, floor 3",
        "error 404 after 1500 ms",
        "planning application 24/01234/FUL",
        "POST /webhooks/rest/webhook 200 in 153 ms",
        "advisor alice claimed c_0a1b2c3d4e5f after 42.1 s (reason resident_asked)",
        "2026-12-05 23:57:30,123 INFO handoff queued position 3",
        "aiohttp 3.9.5 rasa 3.6.21 python 3.10.12",
        "redis://127.0.0.1:6380/0 connected",
        "uuid 3f2a9c1e-8b7d-4e5f-9a0b-1c2d3e4f5a6b",
        "the number 12 bus stop",
        "Year 7 school places for September 2027",
        "between 10 00 and 12 00",
        "the 2024 25 tax year",
    ],
)
def test_things_that_are_not_personal_are_left_alone(text):
    assert mask(text) == text


@pytest.mark.parametrize(
    "number",
    [
        "01632 960000",
        "01632960999",
        "01632 960 610",
        "18001 01632 960000",
        "999",
        "101",
        "105",
        "111",
        "116 123",
        "0800 111 999",
        "0808 2000 247",
        "0808 800 5000",
    ],
)
def test_the_councils_and_national_services_published_numbers_are_kept(number):
    assert mask(f"I rang {number} yesterday") == f"I rang {number} yesterday"


def test_a_published_number_inside_a_longer_number_is_not_kept():
    assert mask("call 07700 900 101") == "call [phone]"
    assert mask("call 01632 9600001") != "call 01632 9600001"


def test_a_conversation_id_containing_a_long_number_is_kept_whole():
    assert mask("c_01632960123abc wrote from NB4 2QT") == "c_01632960123abc wrote from [postcode]"


def test_an_email_after_this_is_is_masked_as_an_email():
    assert mask("this is john@example.com") == "this is [email]"


# Whole messages --------------------------------------------------------------------------

MESSAGES = [
    "my name is Jane Smith, 12 Acacia Road NB4 2QT, 07700 900123, jane@example.com, CT12345678",
    "name: Robert Fenwick dob 03/04/1951 NI JL 44 20 81 B need help with pension credit form",
    "Dear Sir, my mother Joan Pritchard (NHS no 469 907 5878, born 2 June 1936) lives at Bramble Cottage, "
    "Hollow Lane. Regards, Alan Pritchard",
    "paid the PCN for KN17 WFA with card 4909 3786 5797 5433 but still got a letter. Tom, 07700 900 145",
    "Good evening, Hassan Ali here. Re: NB-2026-000318, NHS number 4380248844. Call 01632 960582.",
]


def test_a_message_with_many_kinds_of_personal_data_is_masked_throughout():
    assert mask(MESSAGES[0]) == "my name is [name], [address] [postcode], [phone], [email], [account]"
    assert mask(MESSAGES[1]) == "name: [name] dob [date of birth] NI [ni number] need help with pension credit form"


@pytest.mark.parametrize("text", MESSAGES)
def test_masking_twice_changes_nothing_more(text):
    once = mask(text)
    assert once != text
    assert mask(once) == once


def test_every_label_survives_masking_unchanged():
    text = " ".join(LABELS)
    assert mask(text) == text
