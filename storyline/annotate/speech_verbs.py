"""The verbs that report speech, every form written out (the pipeline runs without a lemmatizer): one
list for the quote extractor and for telling a sentence that only reports a quote (``sentence_kind``)."""

from __future__ import annotations

# Speech verbs, every form written out (the pipeline runs without a lemmatizer). The first word of a
# line is the lemma.
_VERB_TABLE = """
say says said saying
tell tells told telling
add adds added adding
note notes noted noting
explain explains explained explaining
state states stated stating
argue argues argued arguing
claim claims claimed claiming
insist insists insisted insisting
warn warns warned warning
announce announces announced announcing
confirm confirms confirmed confirming
stress stresses stressed stressing
emphasize emphasizes emphasized emphasizing
emphasise emphasises emphasised emphasising
assert asserts asserted asserting
declare declares declared declaring
suggest suggests suggested suggesting
acknowledge acknowledges acknowledged acknowledging
admit admits admitted admitting
deny denies denied denying
reply replies replied replying
respond responds responded responding
write writes wrote written writing
tweet tweets tweeted tweeting
predict predicts predicted predicting
promise promises promised promising
recall recalls recalled recalling
observe observes observed observing
remark remarks remarked remarking
comment comments commented commenting
conclude concludes concluded concluding
complain complains complained complaining
concede concedes conceded conceding
caution cautions cautioned cautioning
urge urges urged urging
reiterate reiterates reiterated reiterating
maintain maintains maintained maintaining
contend contends contended contending
allege alleges alleged alleging
report reports reported reporting
reveal reveals revealed revealing
disclose discloses disclosed disclosing
testify testifies testified testifying
mention mentions mentioned mentioning
vow vows vowed vowing
pledge pledges pledged pledging
boast boasts boasted boasting
proclaim proclaims proclaimed proclaiming
propose proposes proposed proposing
demand demands demanded demanding
threaten threatens threatened threatening
announce announces announced announcing
ask asks asked asking
answer answers answered answering
retort retorts retorted retorting
quip quips quipped quipping
joke jokes joked joking
shout shouts shouted shouting
exclaim exclaims exclaimed exclaiming
continue continues continued continuing
read reads
confess confesses confessed confessing
call calls called calling
describe describes described describing
label labels labeled labelled labeling labelling
characterize characterizes characterized characterizing
thank thanks thanked thanking
praise praises praised praising
criticize criticizes criticized criticizing
criticise criticises criticised criticising
accuse accuses accused accusing
hail hails hailed hailing
inform informs informed informing
assure assures assured assuring
remind reminds reminded reminding
advise advises advised advising
repeat repeats repeated repeating
counter counters countered countering
recount recounts recounted recounting
acknowledge acknowledges acknowledged acknowledging
lament laments lamented lamenting
speculate speculates speculated speculating
opine opines opined opining
underscore underscores underscored underscoring
highlight highlights highlighted highlighting
object objects objected objecting
protest protests protested protesting
swear swears swore sworn swearing
bark barks barked barking
snap snaps snapped snapping
yell yells yelled yelling
scream screams screamed screaming
cry cries cried crying
laugh laughs laughed laughing
beam beams beamed beaming
boom booms boomed booming
thunder thunders thundered thundering
sneer sneers sneered sneering
scoff scoffs scoffed scoffing
mutter mutters muttered muttering
whisper whispers whispered whispering
sigh sighs sighed sighing
gush gushes gushed gushing
marvel marvels marveled marvelled marveling
muse muses mused musing
interject interjects interjected interjecting
chime chimes chimed chiming
chant chants chanted chanting
plead pleads pleaded pled pleading
rail rails railed railing
tease teases teased teasing
quote quotes quoted quoting
grouse grouses groused grousing
gripe gripes griped griping
reason reasons reasoned reasoning
fume fumes fumed fuming
bemoan bemoans bemoaned bemoaning
decry decries decried decrying
deride derides derided deriding
ridicule ridicules ridiculed ridiculing
mock mocks mocked mocking
blast blasts blasted blasting
slam slams slammed slamming
"""
SPEECH_FORMS: dict[str, str] = {f: line.split()[0] for line in _VERB_TABLE.strip().splitlines()
                                for f in line.split()}
