"""Classes of wording found missing or over-escalated by batches 6-10 (fresh_f* to
fresh_j*) and the conversation sets: indirect self-harm, overdoses by someone else,
household poisons, vomiting blood; a relative's sign when nothing says who takes the
drug, cuts that will not close, throats and night sweats in everyday words; someone
else's illness, illnesses that are over, sweat from heat.

Every sentence is a variant written for the test, not copied from a batch.
"""

from __future__ import annotations

import pytest

from components.safety import detect

EMERGENCIES = [
    # Seventh session, from development emergencies only the classifier had caught: the
    # detector is the net when the classifier misses one.
    ("everybody would be better off if i just didn't wake up one morning", "self_harm"),
    ("i don't really see the point in carrying on", "self_harm"),
    ("can't catch me breath and my lips have gone blue", "breathing"),
    ("feels like a lorry is parked on my chest", "chest_pain"),
    ("the right side of his face has dropped and his speech is a bit slurred", "stroke"),
    ("my nephew found my tablets and ate a couple, he's two", "overdose"),
    ("mum took 8 tablets of her azathioprine by mistake this morning", "overdose"),
    ("he swallowed my aza thinking it was his vitamins", "overdose"),
    ("the baby has the pot open and there's pills all over the floor", "overdose"),
    ("three gone from the strip and the toddler was playing with it", "overdose"),
    ("och no, the wee one took gran's tablets by mistake", "overdose"),
    # Batch 18 and conv15 (after their untuned lines): tablets missing with bits on the
    # mouth, a child who swallowed some of a grandparent's tablets, every one tonight,
    # tools given away, not being around much longer, "if I took them all at once", better
    # off not being here.
    ("three or four of the imuran are missing and he has white bits round his mouth", "overdose"),
    ("the little one swallow some of mi heart tablet dem off the table", "overdose"),
    ("thinking of taking every one of them tonight and done", "self_harm"),
    ("gave away mi tools to mi nephew, mi nah go be round much longer", "self_harm"),
    ("sometimes I wonder what would happen if I took them all at once", "self_harm"),
    ("he keeps saying he'd be better off not being here", "self_harm"),
    # Batch 19 (after its untuned line): tablets saved up instead of taken, "swallowed
    # plenty of his tablets".
    ("dad has been hiding his tablets instead of taking them, saving them for when", "self_harm"),
    ("i've been saving up my pills in a tin, just in case", "self_harm"),
    ("the boy swallowed plenty of his tablets while playing", "overdose"),
    # Batch 16 (after its untuned line): not caring whether one wakes, things given away.
    ("he says he doesn't care if he wakes up tomorrow, he gave his tools away", "self_harm"),
    # Batch 13: tired of living, a weight for the family, all the tablets together tonight.
    ("my father says he is tired of living and only a burden for us", "self_harm"),
    ("he says tonight he is going to take all his pills together and sleep forever", "self_harm"),
    ("i've started cutting myself again, the marks are on my thighs", "self_harm"),
    ("he's been cutting his arms, I found the plasters", "self_harm"),
    ("I have no desire to carry on any more", "self_harm"),
    ("no one'd notice if I was gone", "self_harm"),
    ("keep thinking about stepping in front of the train on the way home", "self_harm"),
    ("what's the most of these you could take before they'd finish you off", "self_harm"),
    ("gonna stop my tablets and let the lupus win, easier for everyone", "self_harm"),
    ("my brother downed a handful of my tablets for a laugh", "overdose"),
    ("the baby grabbed two tablets off the bedside table", "overdose"),
    ("my son drank some bleach from under the sink", "overdose"),
    ("she's bringing up blood, loads of it", "severe_bleeding"),
    ("I keep thinking about making my own exit before it gets worse", "self_harm"),
    ("gran mixed up my tablets with her heart ones and took them", "overdose"),
    ("how many would it take so I don't have to cope with any of this", "self_harm"),
    ("the baby got in my tablet box, a few are gone", "overdose"),
    # Conversation set 1: a small child in a bag, tablets gone from the pack.
    ("the little one's been in my purse and there's three popped out of the strip", "overdose"),
    ("he got into the cupboard and the pack of aza has 3 gone", "overdose"),
    # Batch 11 and conv8: a wish not to live told of someone else, tablets set out, a
    # seizure in one word.
    ("my husband says he does not want to live any more", "self_harm"),
    ("she has all her tablets poured out on the table", "self_harm"),
    ("he just seized for a minute and now he's groggy", "seizure"),
    # Batch 12: Scots "intae", someone else's tablets taken "with vodka", empty blisters.
    ("the wean got intae my pill box and some are missing", "overdose"),
    ("my brother took most of my tablets with whisky", "overdose"),
    ("I found the empty blister packs under her bed", "overdose"),
    # Batch 10: a number of tablets "necked" or "downed" at once.
    ("my brother downed about 8 of my imuran at once for a dare", "overdose"),
    # Batch 20 and conv17: Scots with the g dropped, swollen lips crossing a throat.
    ("thinkin aboot takin the lot", "self_harm"),
    ("now my lips feel swollen and my throat feels tight", "severe_allergy"),
]


# Ninth session: the classes each round's batch and conversation set found missing or
# over-escalated, read after their untuned lines. Every sentence is a variant written for
# the test.
NINTH_EMERGENCIES = [
    # Batch 22: an empty pack in a child's hand.
    ("found the toddler with my empty blister pack in her hand", "overdose"),
    # Batch 24: many tablets swallowed, a wrist cut or a burn on purpose.
    ("my boy swallowed many of his tablets, maybe 6, thought they were sweets", "overdose"),
    ("I cut my wrist last night, I don't know why", "self_harm"),
    ("burned myself with a lighter on purpose again", "self_harm"),
    # Batch 25: a handful, a week's pack empty.
    ("the twins were playing doctor and he gave her a whole hand full of my pills", "overdose"),
    ("found the whole week blister pack empty, that's 7 tablets she took today", "overdose"),
    # conv23 and batch 26: Dundonian Scots, ASL grammar, told of a child.
    ("some nights eh think everybody would be better aff if eh wisnae here", "self_harm"),
    ("me tired. sometimes think better if me not here anymore", "self_harm"),
    ("found my son scratching his arms with a pin till they bleed", "self_harm"),
    ("he says he wants to hurt himself", "self_harm"),
    # Batch 27 and conv24.
    ("I think sometimes my family is better without me. I think to finish everything", "self_harm"),
    (
        "he said the family'd be better off if he just didn't come back from fishing one day",
        "self_harm",
    ),
]

NINTH_SIGNS = [
    # A negated tie never hides the patient's own sign, nor a "does not stop" (batch 22).
    ("my husband is not on imuran, I am, and I've had a fever of 38.6 since lunch", "fever"),
    ("the cough, it dont stop since saturday, today is wednesday", "cough"),
    # An eye stuck shut with matter, a cut that will not close (batch 23).
    ("woke up with my eye glued shut and yellow gunk in the corner", "wound_not_healing"),
    ("this cut on my thumb won't close up, it's been ten days", "wound_not_healing"),
    # On the drug and well, but turning after it: the sign stays.
    ("I'm on imuran and I feel fine but I've had a fever of 38.4 since lunch", "fever"),
    # Politeness is no condition, an old operation no old sign, a new clause about feeling
    # no part of a denial (development misses).
    (
        "One more thing, if I may: there's a white coating on my tongue since Friday",
        "mouth_white_patches",
    ),
    ("my wound is red and puffy, the operation was 6 months ago", "pain_redness_swelling"),
    ("can't be bothered to cook, feel lousy all over", "flu_like"),
    # conv20: the user off the drug says nothing about the relative who is on it.
    ("I'm not on any meds but my son has had a fever of 39 since this morning", "fever"),
    ("my son takes aza, I'm not on it, he has had a fever of 39 since this morning", "fever"),
    ("it's a pain when I pee and it burns", "urinary"),
    # Batch 24: sweats told as waking up wet, yellow eyes from someone "alright otherwise",
    # night sweats never taken for heat.
    ("she sweat a lot in the night and wakes up all wet, two nights now", "sweats_or_chills"),
    (
        "my daughter says my eyes look yellow. I feel alright otherwise. I take azathioprine",
        "other_concerning_symptom",
    ),
    ("been sweating buckets at night soaking the sheets three nights running", "sweats_or_chills"),
    # Batch 25: a condition's reach ends at a colon or ", so"; a sister's remark about my
    # eyes is my sign; "far from healing".
    ("My face is sore, if I may say so: a dull pressure across both cheekbones", "sinus"),
    (
        "my sister remarked that the whites of my eyes had gone a funny colour",
        "other_concerning_symptom",
    ),
    ("I cut my thumb a week ago and it is far from healing", "wound_not_healing"),
    # conv23: a burning tongue. Batch 27: a raw throat food catches in, vomiting told plainly.
    ("tongue burning since Tuesday, hard to eat", "mouth_white_patches"),
    ("no fever but my throat is raw, I can't get toast down without it catching", "sore_throat"),
    ("she throw up her lunch and her tea today", "vomiting_or_diarrhoea"),
]

NINTH_CALM = [
    # Batch 22: a relative's illness where the message says the relative is not on the
    # drug, or the user is well; an illness told as over.
    "my husband has a sore throat, he is not on imuran, only me",
    "my dad has a chesty cough, he doesnt take azathioprine, I just worry about him",
    "the lad next door has shingles, he isnt on tablets like mine. I'm fine myself",
    "her sister has strep throat, she has zero symptoms herself",
    "my nephew's got chickenpox so we're staying away. Nothing wrong with me.",
    "the runs stopped since friday, eating normally again",
    "throat was raw on sunday but fine by monday",
    # Batch 23: an illness going round, a unit question, names for someone else when the
    # user is the one on the drug and well, figures of speech, illnesses that were nothing.
    "there's a sickness bug going round the nursery, how do I keep her safe from it",
    "what is 39 celsius in regular fahrenheit? nobody is ill",
    "Bill has shingles on his chest. I'm the one on imuran and I feel fine, can I catch it?",
    "my brother is a bit hot under the collar about the parking again",
    "when the band played our song I got shivers all over",
    "had the shivers last month, doctor said it was nothing. fine now",
    "the boss is a real pain in da neck today",
    # conv20: the user's own cold off the drug; "it's a pain" of a chore; a would.
    "I've got a streaming cold myself, I'm not on any medicine, just wondering about masks",
    "the blood tests every week are a right pain, its a pain",
    "I skipped the water tablet because I'd be up all night running to the toilet",
    # Batch 24: heat, spice, a unit question, a cut that is fine.
    "sweating buckets from the heat in the garden today, not sick at all",
    "that chilli was so hot my mouth was on fire",
    "what is 38 degrees in the regular numbers?",
    "I cut my finger on a tin, it's fine",
    # conv21: "acha" is Urdu for OK, not "achy"; the pharmacy's dispensing error is no
    # overdose; a headache "when she gets one" is not one now.
    "acha, quick one, how often are the bloods on aza?",
    "the pharmacy gave me the wrong strength twice now, I want to complain",
    "can she have calpol when she gets a headache",
    # Batch 25: figures of speech, a grandmother in Tagalog, an illness over, old joints.
    "that final gave me a fever, nearly died of stress lol",
    "been coughing with laughter at the telly all night",
    "lola has the flu, should I stay away from her",
    "grandson was sick at nursery last week, him good now",
    "the damp weather makes my old joints ache",
    "a lady at church told me something else and that got me confused",
    # Batch 27: wanting to throw up is the nausea question, not a sign.
    "these pills make me wanna throw up, is that normal",
]

CALM = [
    "my mum's got a stomach bug, how do I avoid catching it",
    "girlfriend has flu, I'm the one on aza, any tips",
    "the bloke next to me at work was sniffling all day, I'm fine",
    "my sore throat's gone now, antibiotics sorted it",
    "I had a cough but it stopped after a day",
    "drenched in sweat because it's 35 degrees in the warehouse",
    "how many degrees is 101 F in C",
    "how do you tell the difference between a fever and being warm from the sun? asking generally",
    # The relative is not the patient: said outright, or the user asks how to stay clear.
    "my brother has the flu but he's not on anything, it's me on the aza",
    "my daughter has a cold but she doesn't live with us",
    "neighbour has shingles, is it ok for me to be around her",
    "my boss is a proper headache this week",
    "her cough went a fortnight ago and she's back at work",
    # Conversation set 6: a vaccine and a tablet pack named after a sign.
    "and the shingles one my sister had, is that alright for me",
    "does the blister pack keep them ok or should they go in a tub",
    "my blister pack has two popped out, can't remember if I took them this morning",
    # Batch 10: chills at good news, a heart attack and a killing as figures of speech,
    # illnesses over ("stop already", "cured"), asking what a word means.
    "goosebumps when the consultant said the scan was clear",
    "nearly had a heart attack when he climbed the bookcase, he's fine",
    "the school run is killing me this week",
    "his tummy bug stop already, he eating normal again",
    "the chest infection is cured, x-ray all clear",
    "what does rigors mean exactly? the nurse said to watch for them",
    # Conversation set 7: thanks in other words, period pains.
    "thanks sugar",
    "OK y'all been a big help",
    "can she take something for her period pains while she's on this",
    "Mi did have a runny tummy last week but it done now",
    # Batches 13-15: where a fever begins, asked with "I" or "my" in the question; a
    # conversion "in the old money"; Scots "nae"; illnesses over in other words; someone
    # else's illness the writer keeps away from; nuisances, not pains.
    "what number counts as a fever for me on this stuff?",
    "how hot does my little one have to get before I ring you lot",
    "what's the fever cut off please, my thermometer does both",
    "whats 101 in the old money",
    "nae temperature, nae spots, aw fine",
    "had a chesty thing in october, healed up nicely, no issues since",
    "upset tummy at the weekend but everything is normal now",
    "the sniffles went away after like a day",
    "my flatmate has tonsillitis, should I keep my distance",
    "my brother's got a stomach bug, how do we stop him spreading it to everyone",
    "the landlord gave me a pain in the head again",
    "the market collapse has me worried about my pension",
    "I don't care if he wakes up grumpy, he needs his tablet",
    "can I take all three tablets together in the morning?",
    "how do I stay well at work, there's always people sneezing on the bus",
    "is the flu jab going to give me the flu?",
    "does she need the measles one before school?",
    "I read that some people get an upset stomach at first, does food help?",
    "before breakfast or after? he has it on an empty stomach before running to school",
    "my mum says she has a stomach bug, I'm on imuran, can I still visit her",
    "temp hit 38.4 on friday but normal since saturday",
    "his cough was bad on tuesday but it's gone now and he went swimming today",
    "the letter says pyrexia, what does that actually mean",
    # Batch 17: a result that came back clear, a friend's illness with the user's own
    # denial, a bruise where blood was taken, the fever threshold asked twice, what the
    # drug makes children feel, cabin fever, a finished course, the disease's own pain, a
    # steroid's round face, bugs going round a club, a past month.
    "my cough from over easter has gone and the scan came back clear",
    "a lady at work has shingles. myself i have no spots, nothing, just wondering",
    "there's a tiny bruise where they took his bloods, fading already",
    "when is it actually a fever for a toddler, and not just warm from running about",
    "does this medicine make children feel like vomiting in the first weeks?",
    "we've all got cabin fever stuck in with this snow",
    "the doctor gave her antibiotics for the chest and she finished the course yesterday",
    "can mum have co-codamol for her arthritis pain with her imuran",
    "his prednisolone has made his cheeks all puffy, is that the steroid",
    "always something going round the centre, half of them come in coughing and spluttering",
    "no cough, no sweats, nothing since her water infection in october",
    # ...and the overdose wordings' near misses: a pharmacy's strength, a dose per day, a
    # spilled bottle.
    "the chemist gave me 25 mg tablets instead of 50, how many do I take now",
    "I was given 6 tablets a day when I started, is that a lot",
    "knocked the bottle over and the pills went everywhere, are they still ok to use",
    "the tablets are huge, I can't swallow them properly, can I crush them",
    "he's better off gone from that job honestly",
    "saving up my tablets for the holiday so I don't run out",
    "I keep hiding my pills from the kids on a high shelf",
    # Batch 20: over, someone else's, a unit question, figures of speech.
    "cough's finally gone, took a fortnight but clear now",
    "She had a little fever on sunday but now no more fever, all normal",
    "the wife's got the flu, how dae ah no catch it aff her",
    "in the paper say call if more than 38 C, how much is that in F?",
    "only thing bruised at the rodeo was me pride",
    "I very nearly fainted from boredom! Otherwise all is well here.",
    # Batch 19: tablets hard to swallow, asleep rather than fainted.
    "The boy finds it hard to swallow tablets. Please can we crush it?",
    "what is 38.5 in f",
    # A colon before "no": the denial still reaches the sign after it (batch 18).
    "Just checking in: no fever, no infections, feeling good since I started. Thanks",
    "missed my pill tonight bc i passed out at 8pm lol, it's 2am now, do i still take it?",
]

STILL_SIGNS = [
    # A relative's sign when nothing says who takes the drug: the patient, most likely.
    ("my husband's come out in a red rash across his back since this morning", "skin_rash"),
    ("son has a temp of a hundred and one and aches all over", "fever"),
    # Cuts that will not close, throats, night sweats in everyday words.
    (
        "the graze on my knee still hasn't closed up and it's going yellow at the edges",
        "wound_not_healing",
    ),
    ("no temperature but my throat feels like sandpaper, day four", "sore_throat"),
    ("my throat has been paining me since Monday", "sore_throat"),
    ("woke up and had soaked the sheets again, second night running", "sweats_or_chills"),
    # Batch 9's classes: patois and sign-language first person, waterworks, confusion,
    # a Spanish "but" ends a denial, a dose that went up is not an illness that is over.
    ("when mi pass water it burn and it cloudy", "urinary"),
    ("my waterworks are playing up, it stings every time I go", "urinary"),
    ("she woke up disoriented and didn't know it was Tuesday", "other_concerning_symptom"),
    ("no fever pero his throat is wrecked", "sore_throat"),
    ("red spots on his back since last night, his dose went up 2 weeks ago", "skin_rash"),
    ("alright boss, me throat's proper killing me", "sore_throat"),
    # A cut from weeks ago that will not heal is a sign now.
    ("a cut on my hand from three weeks ago won't heal", "wound_not_healing"),
    ("had a graze back in march and it still hasn't healed", "wound_not_healing"),
    # The carer's relative is on the drug: their sign counts.
    ("mum's on imuran and she's got a fever of 38.6", "fever"),
    # Gone, then a new sign.
    ("the rash has gone but now I've got a sore throat", "sore_throat"),
    ("the blister on my heel from the new shoes is oozing", "wound_not_healing"),
    ("came out in shingles down one side, it's agony", "skin_rash"),
    # Batch 10: nappies and "the other end", a small child who seems off with sore legs,
    # a cough that started on a weekday, a reading under the arm.
    (
        "not sick again but now it's the other end, three runny nappies since tea",
        "vomiting_or_diarrhoea",
    ),
    ("she seems really off today and keeps saying her legs hurt", "flu_like"),
    ("still coughing, it started last tuesday, and it was bad tonight", "cough"),
    ("he's hot, 37.8 under his arm", "fever"),
    # Batch 11: yellow sclera, feeling off, a throat in second-language grammar, white
    # patches seen "when she was having her dinner" (today, not long ago).
    ("the sclera look a bit yellow today", "other_concerning_symptom"),
    ("i just feel off today, not sick exactly, just lousy", "flu_like"),
    ("the throat scratch and hurt when swallow since today", "sore_throat"),
    ("saw white patches on her tongue when she was eating her tea", "mouth_white_patches"),
    # Batch 12: a running stomach, mouth sores, cold shakes under blankets, a swelling
    # after "I am not sure if this is important".
    ("his running stomach is back, five times since lunch", "vomiting_or_diarrhoea"),
    ("she has sores all inside her cheeks and it hurts to eat", "mouth_white_patches"),
    ("he's got the cold shakes, under three blankets and still shivering", "sweats_or_chills"),
    (
        "not sure if this matters but my ankle is swollen and hot since monday",
        "pain_redness_swelling",
    ),
    # "'cause" is "because", not "can it cause".
    ("cause my gums have been bleeding all week when I brush", "other_concerning_symptom"),
    # "before I call" reaches only the few words before it.
    ("how hot before I call you? she's burning up and floppy", "fever"),
    ("what counts as a fever? his is 38.7 and he's shivering", "fever"),
    ("naw it's no gone, ma throat is still red raw", "sore_throat"),
    ("38.6 on monday, normal since tuesday but now it's back up to 38.9", "fever"),
    # Someone else telling of the user's own sign; a negated healing.
    ("my sister has told me that my eyes look yellow since yesterday", "other_concerning_symptom"),
    ("my grandson says there are white spots on my tongue", "mouth_white_patches"),
    ("the graze still hasn't closed up and now there's pus in it", "wound_not_healing"),
    ("some people get chills from it but I've got real shivers and a temp of 38.6", "fever"),
    ("his tummy keeps running, six times today", "vomiting_or_diarrhoea"),
    # Batch 17: "still not shut" is a negated healing; an action in progress ("when I was
    # changing her") is today; plain "not so well"; a child who is "so blah" with sore
    # legs; legs that have gone.
    ("the cut on his hand is still not shut and there's green stuff oozing", "wound_not_healing"),
    ("when I was changing her this morning her wee was dark and cloudy", "urine_or_stool_change"),
    ("Not so well today. achy and a bit sick, on aza", "flu_like"),
    ("she's so blah today and says her arms and legs hurt", "flu_like"),
    (
        "mum's legs have just gone since lunchtime, she can't stand up without help",
        "other_concerning_symptom",
    ),
    # Batch 18: swallowing that hurts with big glands, shorthand sickness, a swelling
    # cheek, a reading with "measured", eyes in patois, a reading after a hot day.
    ("can't swallow properly, my neck hurts and the glands are up", "sore_throat"),
    ("N/V/D since last night, emesis x3", "vomiting_or_diarrhoea"),
    ("been feeling sick for three days now, not the starting kind", "vomiting_or_diarrhoea"),
    ("tooth hurts and my cheek is getting swollen", "pain_redness_swelling"),
    ("38.9. measured it twice", "fever"),
    ("her eye dem look yellow this morning", "other_concerning_symptom"),
    ("it's roasting outside today. Her temperature read a hundred and two", "fever"),
    # Batch 19: Tagalog for vomited (a word no regex escape may turn into another), a
    # plugged nose with a face that hurts under the eyes.
    ("nagsuka si lola again after lunch", "vomiting_or_diarrhoea"),
    ("face is killing me under my eyes and my nose is plugged", "sinus"),
    # Batch 20 and conv17: a sore throat in Scots, a whitish coating, "cause" as because.
    ("no fever but ma throat is pure murder, cannae even swally ma tea", "sore_throat"),
    ("a curious whitish coating on my tongue which will not brush off", "mouth_white_patches"),
    ("cause today ive had the runs like eight times", "vomiting_or_diarrhoea"),
    # A thrush description holds the tablet-residue phrase; the sign says more.
    ("white bits on his tongue and inside his cheeks that dont wipe off", "mouth_white_patches"),
    # Somebody's reading and a unit question at once: a fever (found while reviewing the
    # unit-question cues this session).
    ("my temp is 38.5, how much is that in F?", "fever"),
    ("her temperature was 101 F in celsius?", "fever"),
    # Batch 21 (read after its untuned line): a spreading bite, a throat like a grater.
    (
        "the bite is the size of a saucer, red, warm, and a red line tracking up the leg",
        "pain_redness_swelling",
    ),
    ("no fever but my throat is like I swallowed a cheese grater", "sore_throat"),
    ("update: no fever but my throat is killing me", "sore_throat"),
    ("Fever: no. Rash: yes", "skin_rash"),
]


@pytest.mark.parametrize("text, category", EMERGENCIES)
def test_emergency_classes(text, category):
    finding = detect(text)
    assert category in finding.emergencies, (text, finding)


@pytest.mark.parametrize("text", CALM)
def test_calm_classes_do_not_escalate(text):
    finding = detect(text)
    assert finding.intent is None, (text, finding)


@pytest.mark.parametrize("text, sign", STILL_SIGNS)
def test_real_signs_are_kept(text, sign):
    finding = detect(text)
    assert sign in finding.signs, (text, finding)


@pytest.mark.parametrize(
    "text",
    [
        "I cut my finger chopping onions",  # a wound, not self-harm
        "I took a couple of my tablets this morning as usual",
        "this heat will finish me off",
        "we came off the motorway at the next junction",
        "cutting down on sugar this month",
    ],
)
def test_everyday_words_are_not_emergencies(text):
    assert not detect(text).emergencies


@pytest.mark.parametrize("text, category", NINTH_EMERGENCIES)
def test_ninth_session_emergencies(text, category):
    assert category in detect(text).emergencies, (text, detect(text))


@pytest.mark.parametrize("text, sign", NINTH_SIGNS)
def test_ninth_session_signs(text, sign):
    assert sign in detect(text).signs, (text, detect(text))


@pytest.mark.parametrize("text", NINTH_CALM)
def test_ninth_session_calm(text):
    finding = detect(text)
    assert finding.intent is None, (text, finding)
