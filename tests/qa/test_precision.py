"""Precision mechanisms on synthetic sentences: the asked figure, the named thing, the whole list, qualifiers."""

from __future__ import annotations

import dataclasses

import pytest

from core.text import YEAR, normalize
from qa.evidence import best_figure
from qa.figures import find_figures
from qa.focus import focus_of, label_of
from qa.lists import (
    asked_count,
    counted_run,
    headed_items,
    headed_phrase,
    items_in,
    listed_run,
    numbered_items,
    quoted_run,
    section_items,
    stitch,
)
from qa.plan import sub_question
from qa.qualifiers import contradiction
from qa.query import Catalog, claim_bound, english_claims, parse, question_type, within
from qa.spans import asked_kind, find_span

CATALOG = Catalog(cities={"甲城": ["a.txt"]})


def figure_for(question: str, sentence: str, focus: bool = True) -> str:
    query = parse(question, CATALOG)
    fig, _ = best_figure(query, sentence, {}, focus_of(query) if focus else None)
    assert fig is not None
    return fig.text


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("农村组建了多少支服务队？", "组建服务队120支,其中城区45支、农村75支。", "75支"),
        ("一共组建了多少支服务队？", "组建服务队120支,其中城区45支、农村75支。", "120支"),
        ("多少家长参加了讲座？", "举办家庭教育讲座12场,近900名家长参加。", "900名"),
        ("发现了多少项问题？", "检查学校40所,发现问题12项。", "12项"),
        # a running total counts what the figure before it counts; this year's new ones only when asked
        ("累计建成多少所学堂？", "全年新建学堂3所,累计87所。", "87所"),
        # a figure whose own words are a bare verb counts what the figure before it counts
        ("甲城劝返失联儿童多少名？", "寻找失联儿童70多名,劝返30名,帮助6名失踪孩子回归家庭。", "30名"),
        ("甲城寻找失联儿童多少名？", "寻找失联儿童70多名,劝返30名,帮助6名失踪孩子回归家庭。", "70多名"),
        # a figure the question states itself is not the one it asks (of the same unit only)
        ("甲城录入系统的1396名患病妇女中，累计救助了多少人次？", "累计救助患病妇女1160人次(录入系统的患病妇女1396人)。",
         "1160人次"),
        ("甲城选树了10名带头人，还选树了多少个示范基地？", "选树10名巾帼致富带头人和10个巾帼示范基地。", "10个"),
        # a prize grade tells one part from its siblings
        ("甲城手工编织大赛评出二等奖多少名？", "举办手工编织大赛,评出一等奖8名,二等奖16名,三等奖21名。", "16名"),
        # the asked verb, not what the question sets aside
        ("甲城活动中心在取消收费项目的同时，做强了多少个项目？", "取消收费项目7个,做强项目16个,开设课程14项。", "16个"),
        ("甲城活动中心取消了多少个收费项目？", "取消收费项目7个,做强项目16个,开设课程14项。", "7个"),
        ("甲城除了取消收费项目，还做强了多少个项目？", "取消收费项目7个,做强项目16个,开设课程14项。", "16个"),
        ("甲城的母亲学堂有多少所？", "全年新建学堂3所,累计87所。", "87所"),
        ("甲城今年新建了多少所学堂？", "全年新建学堂3所,累计87所。", "3所"),
        ("累计办了多少所？", "全年新建学堂3所,累计87所。", "87所"),
        ("How many parents attended the lectures?", "举办家庭教育讲座12场,近900名家长参加。", "900名"),
        ("How much was paid out in claims?", "获得理赔99人,理赔金115.44万元。", "115.44万元"),
        # of two figures of the counted thing, the one carrying more of its words (妇女 and 干部, not 妇女 alone)
        ("How many women cadres joined the lectures, visits, screenings and the medical team's checks?",
         "共有1100多名妇女干部参与讲座,医疗队对260余名妇女进行了检查。", "1100多名"),
        # a measure word names what it measures; a bracketed qualifier belongs to the label it sits in
        ("甲城公众号全年阅读量有多少？", "甲城公众号全年推送信息5204条,阅读点击达884378人次。", "884378人次"),
        ("甲城鄉鎮（街道）級團體會員有多少個？", "全市共有市级团体会员14个、乡镇(街道)级团体会员53个。", "53个"),
        # a part counts what its total counts: the asked qualifier picks the part, its absence the total
        ("甲城省外转移务工人员多少人", "转移务工人员5200人(省内转移1800人,省外转移3400人)。", "3400人"),
        ("甲城转移务工人员多少人", "转移务工人员5200人(省内转移1800人,省外转移3400人)。", "5200人"),
        ("甲城发放的救助金有多少？", "救助资金达到900万元,其中爱心基金会“母亲救助专项基金”140万元。", "900万元"),
        ("甲城的妇女微家有多少个？", "组建妇联组织560个,其中妇女之家290个、妇女微家200个。", "200个"),
        # the figure before the thing it counts; the thing before a verb; the words before 的
        ("甲城有多少所中学开了心理课？", "在12所小学、30所中学、8所幼儿园开设心理课。", "30所"),
        ("甲城星级文明户评了多少户？", "评选市级“示范户”60户、“星级文明户”75户。", "75户"),
        ("受理的投诉里，最终办结的有多少件？", "共受理投诉320件,办结298件。", "298件"),
        # a bare figure after a comma shares its words; the asked unit decides between them
        ("发放的口罩一共多少盒？", "向社区发放口罩40箱,1200盒。", "1200盒"),
        # the head of a counted thing tagged a place word (初中) still picks its own figure in an enumeration
        ("甲城有多少所初中建立了家长学校？", "在42所高中、160所初中、11所幼儿园建立了家长学校。", "160所"),
        # digits of a name (「FM995电台」) are no figure
        ("甲城的电台空中课堂办了多少期？", "打造FM995电台空中课堂225期。", "225期"),
        # 「分别」 gives each figure of a run the item of the earlier run in its place
        ("甲城“以案说法”大讲堂办了几场？", "开展“婚姻 与法”讲座和“以案说法”大讲堂,全年分别开展12场和40场。", "40场"),
        ("甲城“婚姻 与法”讲座办了几场？", "开展“婚姻 与法”讲座和“以案说法”大讲堂,全年分别开展12场和40场。", "12场"),
        # an enumeration's opening words qualify each item; the thing written in one piece fits best
        ("甲城一共配了几名市级兼职副主席？", "全市共配备市级挂职副主席1名、兼职副主席3名,配备镇级兼职副主席5名", "3名"),
        ("甲城一共配了几名市级挂职副主席？", "全市共配备市级挂职副主席1名、兼职副主席3名,配备镇级兼职副主席5名", "1名"),
        # a qualifier every part writes (输转) names none of them: the total the question names is meant
        ("甲城输转的陇原妹里面贫困户有多少人？", "输转陇原妹2106人,其中贫困户1730人(省内输转853人,省外输转877人)",
         "1730人"),
        ("甲城省内输转的贫困户有多少人？", "输转陇原妹2106人,其中贫困户1730人(省内输转853人,省外输转877人)", "853人"),
        # a part asked by what it is given to, or by the very words that label it; a part shares its total's words
        ("甲城新发放的贷款里，发给贫困妇女的有多少笔？", "新发放贷款231笔,其中为贫困妇女发放17笔,为巧手发放22笔。",
         "17笔"),
        ("甲城新组建的妇联组织里，直接建成妇联的有多少个？", "组建“四新”妇联组织562个,其中妇联69个、妇女之家292个。",
         "69个"),
        ("甲城新组建了多少个妇联组织？", "组建“四新”妇联组织562个,其中妇联69个、妇女之家292个。", "562个"),
        # a share (「占…的」) is of the thing in the clause before it
        ("实现中期达标的指标占目标总数的百分之多少？",
         "19项指标已提前实现终期目标,占目标总数的19.8%,有69项指标实现中期达标,占目标总数的71.9%。", "71.9%"),
    ],
)
def test_the_figure_attached_to_the_asked_thing(question, sentence, expected):
    assert figure_for(question, sentence) == expected


def test_figures_written_side_by_side_share_their_words():
    sentence = "发放贷款22笔124万元"
    figs = find_figures(sentence)
    assert label_of(sentence, figs[0], figs).before == "发放贷款"
    assert label_of(sentence, figs[1], figs).before.startswith("发放贷款")


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("甲城妇联跟哪家单位签了共建协议？", "与乙区审计中心签署共建协议,搭建服务平台。", "乙区审计中心"),
        ("甲城打造的巾帼先锋队叫什么名字？", "创新打造“七色光”巾帼先锋队,服务基层治理。", "“七色光”"),
        ("甲城参与调解纠纷的是哪个工作室？", "人民调解委员会、王某某工作室共调解案件40余起。", "王某某工作室"),
        ("活动中心哪天竣工启用的？", "2021年6月1日活动中心竣工启用。", "2021年6月1日"),
        # the subject right before the question's predicate, without the verb that introduced it
        ("甲城哪个单位获评了省级文明岗？", "成功推荐乙县人民医院获评省级文明岗、丙家庭获评文明家庭。", "乙县人民医院"),
        ("甲城哪户家庭获评了文明家庭？", "成功推荐乙县人民医院获评省级文明岗、丙丁家庭获评文明家庭。", "丙丁家庭"),
        # the type noun after 哪个 ends the name, whatever verb follows it; a place keeps its county before it
        ("甲城是哪个法院给受害人发了保护令？", "今年5月,乙县人民法院为受害人发出保护令,成为“利器”。", "乙县人民法院"),
        ("甲城哪个镇是省级试点镇", "推进乙水镇省级试点镇建设,打造妇建圈。", "乙水镇"),
        ("甲城的帮扶资金拨到了哪个村", "拨付资金20万元到乙县上垅村。", "乙县上垅村"),
        ("甲城妇联发的倡议书题目是什么？", "向家庭发出《节约粮食 从我做起》倡议书。", "《节约粮食 从我做起》"),
        # the holder of the asked role, owner included (市妇联 主席, not 省妇联 主席)
        ("甲城市妇联主席是谁？", "省妇联党组书记、主席姜欣,市妇联党组书记、主席王建国一行到基层调研。", "王建国"),
        # a place between 在 and the event verb
        ("甲城妇联组织女干部去哪里参加了培训？", "组织女干部参加全国妇联在延安举办的培训班,培训学员40名。", "延安"),
        # the thing after the verb of a 「V了什么」 question; a book is named in 《》
        (
            "甲城的做法被编入了什么？",
            "市妇联《家和万事兴》的做法被编入《基层治理案例选》,获全市推广。",
            "《基层治理案例选》",
        ),
        ("读书会读的是哪本书？", "举办“书香甲城”——《红岩》读书会,参加妇女80人。", "《红岩》"),
        # an award keeps its grade
        ("甲城合唱团拿了什么奖？", "“百灵鸟”合唱团获“全国少儿合唱节”银奖第二名。", "“全国少儿合唱节”银奖第二名"),
        # the quoted name followed by the type the question asks for, a few words later
        (
            "甲城资助困境儿童的公益助学项目叫什么？",
            "“爱心妈妈”志愿服务队获评“十佳爱心妈妈”集体,“邑润花开”公益助学活动项目被推选为最佳项目。",
            "“邑润花开”",
        ),
        # 「什么/哪家 + a type of thing」: the quoted name the sentence calls by that type, or a name ending in it
        ("甲城建立了什么制度来比拼庭院创建？", "分级建立“互比互评”制度,组织“六个一”活动。", "“互比互评”"),
        ("甲城采用的是什么推进模式？", "实行“一月一题”推进模式,鼓励党员争创示范户。", "“一月一题”"),
        ("甲城推荐获评示范基地的是哪家茶厂？", "指导乙公司创建基地、推荐丙山生态茶厂获评省示范基地。", "丙山生态茶厂"),
        ("甲城的招聘会妇联是和哪个部门一起办的？", "联合人社等相关部门共同举办“春风行动”招聘会。", "人社等相关部门"),
        ("甲城在基地成立的驿站叫什么？", "在15个示范基地成立“乙妹维权驿站”,接待来访。", "“乙妹维权驿站”"),
        ("Which family in Jiacheng won a Most Beautiful Family title?", "王某家庭获评最美家庭。", "王某家庭"),
        # 「X的题目是什么」: the name of the X; 「哪家的X」: the X's owner named before it
        ("甲城的助廉主题讲座题目是什么？", "举办“立德树人”家教讲座、“传承好家风”助廉主题讲座。", "“传承好家风”"),
        # the name of the question's own thing beats a quoted name the type only qualifies (「…主题活动」)
        ("甲城亲子运动会用的是什么主题？", "开展“家”文化主题活动,举办“共迎亚运”亲子运动会。", "“共迎亚运”"),
        ("甲城为了拓宽销路开展了什么巾帼行动？", "组织开展“网上助农”巾帼行动,开展电商培训。", "“网上助农”"),  # 巾帼: b
        # 「哪个部门」: the body whose own clause says what the question asks
        (
            "甲城的积分超市做法被哪个部门当作改革创新案例推广？",
            "经验被市委组织部作为典型案例编录,积分超市做法被《日报》报道,并被市委改革办作为改革创新案例推广。",
            "市委改革办",
        ),
        ("甲城哪个单位被推荐获评全国巾帼文明岗？", "成功推荐甲城市妇幼保健院儿童康复中心获评全国巾帼文明岗。",
         "甲城市妇幼保健院儿童康复中心"),  # with its city's name
        # 「哪所学校」: the named institution, starting after 的
        ("甲城在哪所学校设立了维权驿站？", "在劳务输出比较密集的乙县腾达职业技术学校等15个基地成立维权驿站。",
         "乙县腾达职业技术学校"),
        ("甲城除了最美家庭还在开展哪一种特色家庭创建？", "持续开展寻找“最美家庭”和“墨香家庭”等特色家庭创建活动。",
         "“墨香家庭”"),  # 哪一种; the question's own name is not the answer
        ("甲城那份实施意见的标题是什么？", "联合出台《甲城妇联工作规则》和《关于成立巾帼先锋队的实施意见》。",
         "《关于成立巾帼先锋队的实施意见》"),  # the title ending in the asked type
        ("甲城联合出台的那份实施意见，标题是什么？", "通过“组织嵌入、工作融入”网格,出台《关于成立先锋队的实施意见》。",
         "《关于成立先锋队的实施意见》"),  # a comma before 「标题」
        ("甲城组织干部到哪里去学习先进经验？", "举办培训班,组队赴洞头等地学习先进妇女工作经验。", "洞头"),
        ("甲城城区妇联是以什么为抓手推进妇建工作的？", "城区妇联以“幸福妇建”为抓手,打造“幸福邻里”等。", "“幸福妇建”"),
        ("甲城庆三八的特别节目叫什么名字？", "制作庆三八特别节目——《“战”放的玫瑰》,网上直播。", "《“战”放的玫瑰》"),
        ("甲城是派什么人员去帮企业申请贷款的？", "3名服务企业专员累计帮助企业申请贷款1000万元。", "服务企业专员"),
        ("甲城妇联和哪个部门联合开展了助农直播？", "市妇联联合市农业农村局开展“暖心助农”扶贫直播。", "市农业农村局"),
        ("Which online business school trained the traders?", "对接淘商大学为市场群提供在线直播培训。", "淘商大学"),
        ("Which vice-chair of the provincial federation presented the plaques?",
         "省妇联副主席卢妹香,市妇联党组书记、主席邹展晖一行颁发奖牌。", "卢妹香"),
        # the naming words (主题名称) stepped over to the thing named; a body named by the asked type's qualifier
        ("甲城舉辦的演講比賽，主題名稱是什麼？", "开展“守纪律 做贡献”演讲比赛、“心中的歌”歌曲大家唱等活动。",
         "“守纪律 做贡献”"),
        ("甲城除了商会妇委会，还有哪家早教机构结对妇女儿童项目？", "发动乙城商会妇委会、美吉姆早教中心等单位结对项目。",
         "美吉姆早教中心"),
        # English: an organisation by the words its name ends with, a document by its 《》 title, a byline's name
        ("Which organisation runs the relief fund in Jiacheng?", "其中中国妇女发展基金会“两癌救助专项基金”141万元。",
         "中国妇女发展基金会"),
        ("Jiacheng's approach was written into which Party committee document?",
         "创新提出“三同两推”,写入市委《村级换届工作方案》。", "《村级换届工作方案》"),
        ("Which news reporter wrote the Jiacheng story?", "闪电新闻记者 王亮家 通讯员 夏晓飞 报道", "王亮家"),
        ("Which book was discussed at Jiacheng's reading session?", "举办“齐学习 共奋斗”——《走进百姓家》读书分享会。",
         "《走进百姓家》"),  # a book by its 《》 title, not the quoted event name
        ("In which newspaper did Jiacheng open a feature on girls?", "在甲城晚报关注栏目中开辟“关爱女童”专题。",
         "甲城晚报"),  # a newspaper named without 《》
        ("Which chain of poverty-relief stores opened new outlets?", "开展扶贫直播,带动芒果扶贫超市新增开店692家。",
         "芒果扶贫超市"),  # the type a few words on, its name unquoted
        # 「什么做法」 (做法 is tagged a verb) and a title the question mostly writes itself is not the answer
        (
            "甲城创新提出的什么做法被写进了市委的村级换届工作方案？",
            "创新提出“三同两推”,写入市委《村级党组织换届和村民委员会换届工作方案》。",
            "“三同两推”",
        ),
        # a title asked for: the 《》 title ending with the question's word for the document, not a quoted phrase
        (
            "甲城印发的那份关于干部学习的通知，标题是什么？",
            "印发《关于建立干部共学制度的通知》,并将“执委是否签到”纳入《甲城检查赋分细则》。",
            "《关于建立干部共学制度的通知》",
        ),
        # an English type named after 「the name of」, not the type of a relative clause after it
        ("What is the name of the volunteer alliance Jiacheng set up, which has 56 volunteer teams under it?",
         "成立了甲城巾帼志愿者联盟,联盟下属志愿者队伍56支。", "甲城巾帼志愿者联盟"),
        # a phrase fronted before the question is no relative clause; a body may be a team (督导组)
        ("Alongside the provincial team, which national-level body sent an inspection team to Jiacheng?",
         "国务院妇儿工委评估督导组、省政府中期评估督导组对我市进行了督导评估检查。", "国务院妇儿工委评估督导组"),
        # 「what was the … campaign」: the quoted name the sentence calls a 活动, though 暨 joins another event after it
        ("What was the citywide reading campaign that Jiacheng's federation co-organised?",
         "联合举办“书香甲城 读书之城”全民阅读活动暨书香嘉年华,推进每周一期“快乐周末”等亲子阅读活动。",
         "“书香甲城 读书之城”"),
        # the type after what the document is about (哪一份关于…的制度文件); a slot cut at a title's 、 is the title
        ("甲城制定了哪一份关于妇儿工委的制度文件？", "完成评估工作,制定《甲城妇儿工委工作制度、成员单位职责》。",
         "《甲城妇儿工委工作制度、成员单位职责》"),
        # the name before the question's predicate ends before the preposition that opens it; a department is 部门
        ("甲城对接的哪所大学为乙市场提供在线直播培训？", "对接甲商大学为乙市场提供在线直播和销售培训。", "甲商大学"),
        ("Which department did Jiacheng work with on the anti-abduction drills?",
         "联合公安部门举办3场防拐模拟演练,近1200名儿童参加活动。", "公安部门"),
        # 什么样的 asks a name as 什么 does
        ("甲城构建的是什么样的妇女儿童工作新模式？", "构建“妇联组织+女性社会组织”的妇女儿童工作新模式。",
         "“妇联组织+女性社会组织”"),
        # a slot between the question's words ends with its clause
        ("甲城为海外的甲城人建立了什么组织？", "建立海外甲城人妇联,实现甲城妇联组织建设全覆盖。", "海外甲城人妇联"),
        # a name is never cut inside a number written before it
        ("What is the name of the public-welfare project Jiacheng ran?",
         "加强指导,开展2018年度妇女儿童家庭类公益项目创投,对11个项目予以资助。", "2018年度妇女儿童家庭类公益项目"),
        # a measure word before the type (什么系列活动)
        ("甲城持续推进的是什么系列活动？", "深化平安创建,持续推进“远离毒品”系列活动,发挥志愿者作用。", "“远离毒品”"),
        # a type jieba splits (文化/创意/园); a quoted name before a verb taking the type as its object is not it
        ("甲城依托哪个文化创意园创建了体验馆？", "实施“巾帼巧手脱贫行动”依托甲城66号文化创意园,创建了体验馆。",
         "甲城66号文化创意园"),
        # the quoted name holding the word the question quotes after 什么
        ("甲城要以什么“小”来优化“大环境”？", "统筹推进“两个规划”深入实施,以“小视角”优化“大环境”。", "“小视角”"),
    ],
)
def test_the_asked_name_is_found(question, sentence, expected):
    query = parse(question, CATALOG)
    kind = asked_kind(query.norm)
    assert kind
    assert find_span(kind, query.norm, sentence, query.keywords, tuple(query.cities)) == expected


def test_lists_from_numbered_enumerations_and_the_asked_count():
    text = "开展三大行动。一是巾帼助力行动,成效明显。二是巾帼宣传行动;三是巾帼志愿行动。"
    assert numbered_items(text) == ["巾帼助力行动", "巾帼宣传行动", "巾帼志愿行动"]
    assert asked_count("甲城的三大行动是哪三个？") == 3
    assert asked_count(normalize("Which five campaigns does it run?")) == 5
    assert asked_count("甲城开展了哪些活动？") == 0
    assert items_in("开展“春蕾”“护苗”“暖心”行动") == ["“春蕾”", "“护苗”", "“暖心”"]
    assert items_in("解决招工、培训、政策咨询等问题30余个") == ["招工", "培训", "政策咨询"]  # not the verb
    assert items_in("加强与中国轻纺城、深圳、上海等商会妇联的联络") == ["中国轻纺城", "深圳", "上海"]  # nor 与
    assert items_in("在学习强国、人民日报、红网等媒体发稿336条") == ["学习强国", "人民日报", "红网"]  # nor 在
    assert items_in("开展在线培训、上门服务等活动") == ["在线培训", "上门服务"]  # 在线 is no preposition
    assert items_in("通过对乡镇、学校、医院等实地走访考察") == ["乡镇", "学校", "医院"]


def test_counted_groups_are_list_questions():
    assert question_type("甲城提升的三大工程是哪三个？", "zh") == "list"
    assert question_type(normalize("Which three campaigns does Jiacheng run every year?"), "en") == "list"
    counted = normalize("What are the three big themed campaigns Jiacheng runs every year?")
    assert question_type(counted, "en") == "list" and asked_count(counted) == 3
    assert question_type(normalize("What were the activities Jiacheng held?"), "en") == "list"
    assert question_type(normalize("Which media did Jiacheng publish its stories in?"), "en") == "list"
    assert question_type("甲城妇联是哪一年成立的？", "zh") != "list"
    assert question_type(normalize("What amount was lent to poor women?"), "en") == "numeric"
    assert question_type("甲城和乙城的宣讲分别是围绕哪次会议精神展开的？", "zh") == "entity"  # one name per city
    assert question_type("甲城和乙城的特色活动分别是？", "zh") == "list"
    assert question_type("甲城为几起案件提供了法律援助？", "zh") == "numeric"  # 几起 counts
    assert question_type("甲城助推创建的四个做法是什么？", "zh") == "list"  # a counted group asked 是什么
    assert question_type("甲城的第三个项目是什么？", "zh") == "entity"  # one of them
    assert question_type("甲城“十四五”规划是什么？", "zh") == "entity"


def test_a_list_written_as_clauses_alike_in_length():
    from qa.lists import parallel_run

    sentence = "广泛宣传发动,注重分类施策,坚持示范先行,创新长效机制,助推“美丽庭院”创建提档升级。"
    assert parallel_run(sentence, 4) == ["广泛宣传发动", "注重分类施策", "坚持示范先行", "创新长效机制"]
    assert parallel_run(sentence, 3) == [] and parallel_run(sentence, 5) == []  # a run of four is a list of four
    assert parallel_run("开展培训12期,服务妇女3000人,发放资料5万份。", 3) == []  # figures: no such list


def test_the_asked_type_of_a_name_is_no_word_the_evidence_must_hold():
    query = parse("甲城的宣讲是围绕党的哪次会议精神展开的？", CATALOG)
    assert "会议" not in query.keywords and "宣讲" in query.keywords


def test_a_run_of_quoted_names_that_fits_the_count():
    sentence = "持续开展“维权周”“禁毒日”“反家暴周”三大主题活动,联合法院举行“开放日”活动。"
    assert items_in(sentence) == ["“维权周”", "“禁毒日”", "“反家暴周”", "“开放日”"]
    assert quoted_run(sentence, 3) == ["“维权周”", "“禁毒日”", "“反家暴周”"]
    assert quoted_run(sentence, 5) == []


def test_a_run_the_report_counts_itself():
    sentence = "坚持“软硬”两个标准,立足认知提升、机制建设、示范带动、宣传推介四个抓手,实现四级联动。"
    assert counted_run(sentence, 4) == ["认知提升", "机制建设", "示范带动", "宣传推介"]
    assert counted_run("开展政策、技术、服务“三送”活动。", 3) == ["政策", "技术", "服务"]  # a quoted count
    assert counted_run(sentence, 3) == []
    quoted = "继续开展“晒、议、讲、展、秀”五个环节的寻找活动。"  # quoted whole: its items without the quotes
    assert counted_run(quoted, 5) == ["晒", "议", "讲", "展", "秀"]


def test_a_sentence_cut_by_a_paragraph_break_goes_on_in_the_next_passage():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import ExtractiveAnswerer
    from qa.evidence import Candidate
    from qa.lexical import Idf
    from qa.retrieve import Hit

    first = StoredChunk("a", "中心设有健康中心、维权中心、女性社", ChunkMeta(doc="r.txt", start=0, end=17))
    second = StoredChunk("b", "会组织中心、实践中心等4个中心,另有活动室。", ChunkMeta(doc="r.txt", start=19, end=41))
    caption = StoredChunk("c", "▲主席一行颁发奖牌", ChunkMeta(doc="q.txt", start=0, end=9))
    heading = StoredChunk("d", "提高政治站位,坚定决心。", ChunkMeta(doc="q.txt", start=11, end=23))
    chunks = {"r.txt": [first, second], "q.txt": [caption, heading]}
    answerer = ExtractiveAnswerer(lambda: Idf([]), doc_chunks=lambda doc: chunks[doc])
    tail = answerer._continuation(Candidate(Hit(first, 1.0), 0, 0, 17, first.text))
    assert tail is not None and tail.hit.chunk.id == "b" and tail.text == "会组织中心、实践中心等4个中心,另有活动室。"
    assert answerer._continuation(Candidate(Hit(caption, 1.0), 0, 0, 9, caption.text)) is None


def test_a_counted_group_whose_items_head_their_own_sections():
    text = (
        "甲城妇联实施“三大工程”,凝聚人心。\n一、提升思想引领工程,树牢根基\n开展宣讲120场。\n"
        "二、实施“家家幸福工程”,建设家庭\n评选最美家庭300户。\n三、深化权益维护工程,守护平安\n调解纠纷80起。"
    )
    phrase, head = headed_phrase(normalize("甲城的“三大工程”是哪三个？"))
    assert (phrase, head) == ("三大工程", "工程")
    found = headed_items(text, phrase, head, 3)
    assert [item for _, item in found] == ["思想引领工程", "“家家幸福工程”", "权益维护工程"]
    assert all(text[at:].startswith(item) for at, item in found)


def test_passages_stitch_back_into_the_report():
    from core.types import ChunkMeta, StoredChunk

    text = "第一段文字。第二段文字。第三段文字。"
    spans = [(0, 8), (6, 12), (14, 18)]  # an overlap, then a gap
    chunks = [StoredChunk(f"c{i}", text[a:b], ChunkMeta(doc="a.txt", start=a, end=b)) for i, (a, b) in enumerate(spans)]
    rebuilt = stitch(chunks)
    assert len(rebuilt) == 18 and rebuilt[:12] == text[:12] and rebuilt[14:] == text[14:]


@pytest.mark.parametrize(
    ("question", "evidence", "stated"),
    [
        ("是不是全国首个？", "成立全省首个县级协会", "全省"),
        ("是不是获评省级示范？", "获评市级示范基地", "市级"),
        ("在各市州里是不是排第一？", "在14个市州排名第二", "第二"),
        ("是不是被推选为东岭省最佳项目？", "项目被推选为西川市最佳项目", "西川市"),
        ("是不是全省第一个县级协会？", "成立全省首个县级协会", ""),
        ("Was it the first nationwide?", "在全省率先启动", "全省"),
        # a province's name is a provincial scope; with several subjects, the claim's own clause decides
        ("是不是获评全国巾帼文明岗？", "服务站获评河北省巾帼文明岗", "河北省"),
        # how often, and how many levels a network links
        ("服务队是不是每周上门清洁一次？", "服务队每月组织2次入户清洁活动", "每月"),
        ("服务队是不是每个月上门清洁？", "服务队每月组织2次入户清洁活动", ""),
        ("does the work link up three levels: city, town and village?", "实现市镇社区村四级联动", "四级联动"),
        ("是不是实现了市镇社区村四级联动？", "实现市镇社区村四级联动", ""),
        # a level asked against a scope stated
        ("甲城创建的是省级家庭教育示范基地吗？", "创建全国家庭教育示范基地,社区家长学校全覆盖。", "全国"),
        ("甲城申报的是国家级规划示范市吗？", "积极申报浙江省实施规划示范市。", "浙江省"),
        ("甲城是不是省级示范基地？", "被省妇联评为省级示范基地。", ""),
        ("王某家庭是全国最美家庭吗", "李某家庭获评全国最美家庭、王某家庭获评河北省最美家庭", "河北省"),
        ("李某家庭是全国最美家庭吗", "李某家庭获评全国最美家庭、王某家庭获评河北省最美家庭", ""),
        # the claim's own other place is no contradiction; how much is covered; which day of the month
        ("甲城市妇联有没有承办过乙州市妇联的推进会？", "承办乙州市妇联基层组织推进会", ""),
        ("社区家长学校是不是只覆盖了一部分社区？", "社区家长学校全覆盖。", "全覆盖"),
        ("Are only some communities covered by parent schools?", "社区家长学校全覆盖。", "全覆盖"),
        ("社区家长学校实现全覆盖了吗？", "社区家长学校全覆盖。", ""),
        ("Is the volunteers' day on the first day of every month?", "健全每月15日全市志愿者活动日机制", "每月15日"),
        ("志愿者活动日是不是每月15日？", "健全每月15日全市志愿者活动日机制", ""),
        # a date; how often, read beside the quoted name the claim asks about
        ("甲城活动中心是12月12日启用的吗？", "2020年12月25日活动中心竣工启用", "12月25日"),
        ("Did the centre open on December 25?", "2020年12月25日活动中心竣工启用", ""),
        ("Did the centre open on the 12th of December?", "2020年12月25日活动中心竣工启用", "12月25日"),
        ("甲城每周办一期心绘堂吗？", "推进每月一期“心绘堂”、每周一期“快乐周末”等亲子阅读活动", "每月"),
        ("甲城的快乐周末是每周一期吗？", "推进每月一期“心绘堂”、每周一期“快乐周末”等亲子阅读活动", ""),
        # a month (not the verb 「may」); an award's grade
        ("甲城的培训班是在7月举办的吗？", "11月,甲城妇联举办了培训班,7个县区的60名妇女参加。", "11月"),
        ("Was the training class held in July?", "11月,甲城妇联举办了培训班,7个县区的60名妇女参加。", "11月"),
        ("May the training class be held in November?", "11月,甲城妇联举办了培训班。", ""),
        ("合唱团拿到的是银奖吗？", "合唱团获“国际合唱节”铜奖第一名。", "铜奖"),
        ("Did the choir win a silver award?", "合唱团获“国际合唱节”铜奖第一名。", "铜奖"),
        ("合唱团拿到的是铜奖吗？", "合唱团获“国际合唱节”铜奖第一名。", ""),
        # how often, read in the piece holding most of the claim's words when no quoted name is asked about
        ("甲城电台的专栏是每月一期吗？", "打造《甲城日报》每月专版、甲城电台每周专栏等宣传阵地。", "每周"),
        ("甲城日报的专版是每月一期吗？", "打造《甲城日报》每月专版、甲城电台每周专栏等宣传阵地。", ""),
        # a date's month is a month stated; places listed against the claimed place
        ("Was the livestream held in August 2020?", "►2020年8月5日开展扶贫直播 ▲2020年9月开展专题调研", ""),
        ("Was the livestream held in July 2020?", "►2020年8月5日开展扶贫直播", "8月"),
        ("甲城是不是在丁县成立了心理援助工作站？", "陆续在乙县、丙县分别成立了心理援助工作站。", "乙县、丙县"),
        ("甲城是不是在乙县成立了心理援助工作站？", "陆续在乙县、丙县分别成立了心理援助工作站。", ""),
        # a title awarded with a bare 省, read in the clause of the claim's subject; an age range
        ("乙厂获评的是全国示范基地吗？", "甲公司创建全国示范基地、推荐乙厂获评省示范基地。", "省示范基地"),
        ("甲公司创建的是全国示范基地吗？", "甲公司创建全国示范基地、推荐乙厂获评省示范基地。", ""),
        ("Were packs given to babies aged 0 to 12 months?", "为6-24个月龄的婴幼儿发放营养包3099箱。", "6-24个月"),
        ("营养包是发给6至24个月的婴幼儿的吗？", "为6-24个月龄的婴幼儿发放营养包3099箱。", ""),
        # a review's stage; a date written 2023-06-19 is in June
        ("甲城开展的是十三五规划中期监测评估吗？", "开展妇女儿童发展“十三五”规划终期监测评估。", "终期"),
        ("甲城开展的是十三五规划终期监测评估吗？", "开展妇女儿童发展“十三五”规划终期监测评估。", ""),
        ("Was the article published in July 2023?", "来源:甲城网 2023-06-19 18:07:06", "6月"),
        ("Was the article published in June 2023?", "来源:甲城网 2023-06-19 18:07:06", ""),
        # the body something was done together with
        ("甲城的防拐演练是和消防部门一起办的吗？", "联合公安部门举办3场防拐模拟演练。", "公安部门"),
        ("甲城的防拐演练是和公安部门一起办的吗？", "联合市公安部门举办3场防拐模拟演练。", ""),
        ("甲城的开放日是跟法院一起办的吗？", "联合市法院举行开放日活动,联合市司法局拍摄案例。", ""),
        ("甲城签署共建协议的对象是农商银行吗？", "与省联社审计中心签署党建共建协议。", "省联社审计中心"),
        # how often, as the report writes it (季度例会)
        ("甲城的镇妇联主席例会是每个月开一次吗？", "健全镇妇联主席季度例会、考绩考核等制度。", "季度"),
        ("甲城的镇妇联主席例会是每季度开一次吗？", "健全镇妇联主席季度例会、考绩考核等制度。", ""),
        # a name counted by its numeral
        ("甲城开展的宣传教育是「六进」活动吗？", "持续开展男女平等宣传教育“五进活动”,推动性别教育。", "“五进活动”"),
        ("甲城开展的宣传教育是五进活动吗？", "持续开展男女平等宣传教育“五进活动”,推动性别教育。", ""),
        ("甲城有三个服务中心吗？", "持续开展“五进活动”,推动性别教育。", ""),
        # a deputy against the office itself
        ("甲城加入调解员队伍的是村妇代会副主任吗？", "1653名村妇代会主任加入到人民调解员队伍中来。", "村妇代会主任"),
        ("甲城加入调解员队伍的是村妇代会主任吗？", "1653名村妇代会主任加入到人民调解员队伍中来。", ""),
        ("甲城配备的是专职主席吗？", "全市共配备市级挂职副主席1名、兼职副主席3名。", "市级挂职副主席"),
        # words counted by another Chinese numeral; a national title asked, a provincial one stated for the figure
        ("甲城落实的权益机制是“六项机制”吗？", "召开推进会,落实维护妇女儿童权益“五项机制”。", "五项机制"),
        ("甲城是开展了五项主题活动吗？", "成立工作专班,开展六项主题活动,动员志愿者2655人次。", "六项主题活动"),
        ("是十三五规划吗？", "开展十四五规划编制。", "十四五规划"),
        ("是进一步推进吗？", "进一步推进改革。", ""),
        ("甲城有6户家庭被提名为全国“最美家庭”吗？", "2户家庭获评全国“最美家庭”荣誉称号,6户家庭被提名为省级“最美家庭”。",
         "省级"),
        # an English frequency written 'twice a week'
        ("Does the team clean homes twice a week?", "每月组织2次入户清洁志愿服务活动。", "每月"),
        ("Does the team clean homes twice a month?", "每月组织2次入户清洁志愿服务活动。", ""),
        # one side of a pair against the other (线下 claimed, 线上 stated); a network's tiers by its members
        ("甲城那32万余人是到现场线下观展的吗？", "现场直播推介,32万余人线上观展。", "线上"),
        ("Did the 320,000 people view it offline?", "现场直播推介,32万余人线上观展。", "线上"),
        ("甲城那32万余人是线上观展的吗？", "现场直播推介,32万余人线上观展。", ""),
        ("Has Jiacheng built a three-tier system of group members?", "健全市、镇两级团体会员制度。", "两级"),
        # a quoted name the claim nearly writes
        ("甲城的辅导驿站中有一个叫「七彩花」吗？", "创新打造“圆成屋”“七色花”婚姻家庭辅导驿站。", "“七色花”"),
        ("甲城的辅导驿站中有一个叫「七色花」吗？", "创新打造“圆成屋”“七色花”婚姻家庭辅导驿站。", ""),
        ("甲城在苏州等地工厂里建立的是“维权驿站”吗？", "在乙县学校等15个基地成立“维权驿站”。", "乙县学校等15个基地"),
        ("甲城在乙县建立了“维权驿站”吗？", "在乙县职业学校等15个基地成立“维权驿站”。", ""),
        ("甲城在基层工厂里建立了“维权驿站”吗？", "在乙县职业学校等15个基地成立“维权驿站”。", ""),  # no place's name
        # what a claimed figure counts
        ("甲城那1.3万余人，是巾帼志愿者吗？", "组织1.3万余名妇联执委参与联防联控,发放宣传品。", "1.3万余名妇联执委"),
        ("甲城那1.3万余人是不是巾帼志愿者？", "组织1.3万余名妇联执委参与联防联控,发放宣传品。", "1.3万余名妇联执委"),
        ("甲城那1.3万余人，是妇联执委吗？", "组织1.3万余名妇联执委参与联防联控,发放宣传品。", ""),
        ("甲城那1.3万余人是否参与了联防联控？", "组织1.3万余名妇联执委参与联防联控,发放宣传品。", ""),
        ("甲城那1.3万余人是在社区参与的吗？", "组织1.3万余名妇联执委参与联防联控,发放宣传品。", ""),
    ],
)
def test_yes_no_qualifiers(question, evidence, stated):
    assert contradiction(question, evidence) == stated


def test_the_partner_of_the_clause_the_claim_describes():
    evidence = "联合市法院举行开放日活动,联合市司法局拍摄本土反家暴案例,举办定向赛。"
    assert contradiction("甲城是和市法院一起拍摄本土反家暴案例的吗？", evidence) == "市司法局"
    assert contradiction("甲城是和市司法局一起拍摄本土反家暴案例的吗？", evidence) == ""
    claim = normalize("Did Jiacheng film local domestic violence cases together with the city court?")
    glosses = ("拍摄", "电影", "本土", "家暴", "案例", "法院")
    assert contradiction(claim, evidence, glosses) == "市司法局"
    assert contradiction(claim, evidence, (*glosses[:-1], "司法局")) == ""
    # 'with the' and no body: no partner claimed
    assert contradiction(normalize("Did Jiacheng film cases with the villagers?"), evidence, glosses[:-1]) == ""


def test_a_place_an_english_written_names_in_pinyin_against_the_places_listed():
    evidence = "市妇联陆续在秦州、武山、秦安、清水县分别成立了心理援助工作站。"
    claim = normalize("Did Jiacheng set up workstations in Gangu County?")
    assert contradiction(claim, evidence, ("甘谷县",)) == "秦州、武山、秦安、清水县"
    assert contradiction(normalize("Did Jiacheng set up workstations in Qingshui County?"), evidence, ("清水县",)) == ""


@pytest.mark.parametrize(
    ("question", "claim", "bound"),
    [
        ("稿件被采用的次数超过100次了吗？", "100次", ">"),
        ("有没有超100万次？", "100万次", ">"),
        ("是不是至少有10所？", "10所", ">="),
        ("是不是不到50人？", "50人", "<"),
        ("是不是有50人以上参加？", "50人", ">="),
        ("Were more than 200 people trained?", "200人", ">"),
        ("Did fewer than 20 villages take part?", "20个", "<"),
        ("是不是培训了100人？", "100人", ""),
        ("参保的妇女超过两万名了吗？", "20000名", ">"),  # a bound on a figure in Chinese numerals
    ],
)
def test_a_claim_may_bound_its_figure(question, claim, bound):
    norm = normalize(question)
    assert claim_bound(norm, claim) == bound
    assert within(105, bound, 100) == (bound in (">", ">="))


def test_a_figure_asked_as_reached_is_a_lower_bound_only_in_a_question():
    asked = normalize("参与人数有没有达到2万人次？")
    assert claim_bound(asked, "2万人次", asked=True) == ">="
    assert claim_bound(normalize("Did the lectures reach 200 sessions?"), "200次", asked=True) == ">="
    stated = normalize("参与人数达到2.1万人次。")  # a report's 达到 states its own figure
    assert claim_bound(stated, "2.1万人次") == ""


def test_a_count_is_no_year():
    assert YEAR.findall("点赞数有没有超过2000万次,培训2016人,2020年") == ["2020"]


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("甲城有多少贫困妇女得到了救助？", "人"),  # a people noun ends the counted thing
        ("甲城多少家长参加了讲座？", "人"),  # 家 starts 家长 here: no unit
        ("甲城有多少家企业入驻？", "家"),
        ("甲城的帮扶队结对了多少户", "户"),  # a unit at the end of the question
        ("甲城建了多少个妇女之家？", "个"),
        ("甲城有多少妇女之家？", ""),  # an organisation, not people
        ("甲城就业的妇女人均每月增收多少？", "元"),  # income is money
        ("甲城脱贫基地一年的总产值是多少？", "元"),  # so is output value
        # English: the counted noun comes before the preposition that qualifies it; loans are counted or lent
        ("How many new small guaranteed loans for women did Jiacheng issue?", "笔"),
        ("How many person-times of township cadres did Jiacheng train?", "人次"),
        ("How much loan money went to poor women in Jiacheng?", "元"),
        ("Of the loans issued in Jiacheng, what amount was lent to poor women?", "元"),
        ("What was the total audience of Jiacheng's legal-awareness lectures?", "人"),
        ("How many township-level group members does Jiacheng's federation have?", "个"),  # bodies, not people
        ("What were the total sales of Jiacheng's online shop?", "元"),  # sales, revenue, income are money
        ("What was the annual revenue of Jiacheng's women's cooperative?", "元"),
        ("What was the average age of the women Jiacheng trained?", "岁"),  # an age
        ("Counting in 件次, how many letters and calls did Jiacheng handle?", "件次"),  # the report's own unit
        ("甲城女性社会组织公益广场有多大面积？", "平方米"),  # an area
        ("How many children aged 3 to 6 did Jiacheng's kindergartens enrol?", "人"),  # 'aged' qualifies children
    ],
)
def test_the_counted_thing_decides_the_expected_unit(question, unit):
    query = parse(question, CATALOG)
    assert query.unit == unit
    assert query.qtype == "numeric"


def test_an_english_counted_thing_ends_before_the_inverted_question():
    liked = focus_of(parse("How many likes did mothers' videos get in Jiacheng?", CATALOG))
    assert liked.thing == ("点赞",) and "母亲" in liked.qualifiers  # the subject after 'did' qualifies
    passive = focus_of(parse("How many couples were successfully reconciled?", CATALOG))
    assert "夫妻" in passive.thing and any(w in passive.thing for w in ("调和", "和好"))  # a passive is its event
    helped = focus_of(parse("Of the 138 people, how many did they help with practical problems?", CATALOG))
    assert {"帮助", "实际", "困难"} <= set(helped.qualifiers)  # 「帮助其中的78人解决了实际困难」


def test_units_of_one_kind_and_of_one_family():
    from qa.query import unit_match

    assert unit_match("人", "名") == unit_match("名", "位") == 1.0  # people counted alike (no English for 名)
    assert unit_match("人", "人次") == 0.7 and unit_match("次", "场次") == 1.0  # visits are a family member
    assert unit_match("个", "元") == 0.0


@pytest.mark.parametrize(
    ("question", "city", "sub"),
    [
        # each city with its own words before a shared 分别/各: its own phrase and the shared predicate
        ("乙城的母亲学堂和甲城的家长课堂分别有多少所？", "甲城", "甲城的家长课堂有多少所?"),
        ("乙城的母亲学堂和甲城的家长课堂分别有多少所？", "乙城", "乙城的母亲学堂有多少所?"),
        # words shared by both cities stay whole
        ("甲城和乙城发放的救助金分别是多少？", "甲城", "甲城和乙城发放的救助金分别是多少？"),
        # a clause per city: that city's clause
        ("甲城培训了多少人，乙城呢？", "乙城", "乙城培训了多少人"),
        # a colon opens the questions about each city
        ("甲城和乙城都办实事：甲城确定了几件实事项目？乙城呢？", "甲城", "甲城确定了几件实事项目"),
        # a clause naming no city goes on about the city of the clause before it in the same sentence
        ("甲城的读书月活动，全市有多少人参与？乙城办了几场宣讲？", "甲城", "甲城的读书月活动，全市有多少人参与"),
        ("甲城的读书月活动，全市有多少人参与？乙城办了几场宣讲？", "乙城", "乙城办了几场宣讲"),
    ],
)
def test_each_city_of_a_comparison_gets_its_own_words(question, city, sub):
    assert sub_question(question, city, ["甲城", "乙城"]) == sub


@pytest.mark.parametrize(
    ("question", "sub"),
    [
        ("甲城和乙城哪个培训的妇女更多？", "乙城培训的妇女有多少？"),
        ("甲城和乙城培训的妇女哪个更多？", "乙城培训的妇女有多少？"),
        ("甲城和乙城，哪个市调解的纠纷更多？", "乙城调解的纠纷有多少？"),
        ("甲城和乙城谁多？", ""),  # nothing of its own to count
    ],
)
def test_a_comparison_asks_each_city_the_count_it_compares(question, sub):
    from qa.query import compared_ask

    assert compared_ask(normalize(question), "乙城", ["甲城", "乙城"]) == sub


def test_a_total_is_not_answered_by_a_share_of_something_larger():
    query = parse("甲城一共发放了多少笔贷款？", CATALOG)
    share = "对接银行推出信贷产品,其中仅甲贷发放贷款300笔。"
    whole = "推广各类信贷产品,年内发放贷款1万笔。"
    (_, share_fit), (_, whole_fit) = (best_figure(query, s, {}, focus_of(query)) for s in (share, whole))
    assert whole_fit > share_fit


def test_an_english_question_about_two_cities_is_asked_clause_by_clause():
    from qa.plan import english_clause

    norm = "how many calls did dongying's line answer, and how many consultations has yueqing's room given?"
    mentions = [(norm.find("dongying"), "东营"), (norm.find("yueqing"), "乐清")]
    assert english_clause(norm, "乐清", mentions) == "how many consultations has yueqing's room given?"
    assert english_clause(norm, "东营", mentions) == "how many calls did dongying's line answer?"
    both = "how many women did dongying and yueqing each train?"
    assert english_clause(both, "东营", [(both.find("dongying"), "东营"), (both.find("yueqing"), "乐清")]) == ""


def test_the_numbered_items_of_the_section_the_evidence_heads():
    text = (
        "一、强化引领\n一是学习。二是宣讲。\n二、提升“幸福安康工程”,发挥作用 一是开展家庭创建活动。评选最美家庭。"
        "二是推进家庭教育建设。三是启动绿色家庭创建。四是持续开展宣传活动。\n三、维护权益\n一是普法。"
    )
    at = text.find("二、提升")
    found = section_items(text, at, 4, ["幸福安康工程"])
    expected = ["开展家庭创建活动", "推进家庭教育建设", "启动绿色家庭创建", "持续开展宣传活动"]
    assert [item for _, item in found] == expected
    assert all(text[pos : pos + len(item)] == item for pos, item in found)
    assert [item for _, item in section_items(text, at, 0, ["幸福安康工程"])] == expected  # uncounted: all of them
    assert section_items(text, at, 5, ["幸福安康工程"]) == []  # it numbers fewer than asked
    assert section_items(text, at, 4, ["维权"]) == []  # its heading is not the question's group


def test_the_numbered_headings_an_unnumbered_heading_opens():
    text = (
        "实施破难行动,在推进改革中力促成果转化\n1. 突出党建带妇建。\n纳入考核。\n2. 推进基层组织建设。\n"
        "组建组织562个。\n3. 注重改革成果转化。\n制定出台实施方案,启动专题调研。\n"
        "依托项目开展关爱活动\n1. 实施助学项目。\n"
    )
    at = text.find("制定出台")
    found = section_items(text, at, 3, ["实施破难行动", "推进", "改革"])
    assert [item for _, item in found] == ["突出党建带妇建", "推进基层组织建设", "注重改革成果转化"]
    assert all(text[pos : pos + len(item)] == item for pos, item in found)
    # the section's own heading names the group better than the line before its run: no siblings
    assert section_items(text, at, 3, ["注重改革成果转化"]) == []


def test_items_opening_with_the_quoted_word_a_question_counts():
    from qa.lists import opening_items

    text = "一是强化顶层设计,突出宣传。印发方案。二是强化资源统筹,突出推进。三是强化示范引领,突出机制。"
    assert [i for _, i in opening_items(text, "强化", 3)] == ["强化顶层设计", "强化资源统筹", "强化示范引领"]
    assert opening_items(text, "强化", 4) == []
    assert opening_items(text, "突出", 3) == []
    assert parse("甲城创建的三个“强化”是什么？", CATALOG).qtype == "list"


def test_the_run_holding_the_questions_word_and_a_last_pair_joined_by_and():
    sentence = "选树市三八红旗手55名、市三八红旗集体35个,命名标兵,评选十佳好军嫂、十佳兵妈妈各10名。"
    assert items_in(sentence, ("十佳",)) == ["十佳好军嫂", "十佳兵妈妈"]
    assert items_in(sentence) == ["市三八红旗手55名", "市三八红旗集体35个"]  # its opening verb (选树) is no item
    from qa.answer import _sentence_items

    query = parse("甲城对妇联干部要把好的“三道关”指的是哪三道？", CATALOG)
    items = _sentence_items(query, "健全例会制度,切实把好妇联干部上岗准入、在岗管理和推荐提拔“三道关”。")
    assert items[-2:] == ["在岗管理", "推荐提拔“三道关”"] or items[-2:] == ["在岗管理", "推荐提拔"]


def test_a_list_of_as_many_items_as_asked():
    sentence = "成立“爱心妈妈”志愿服务队,与困境儿童结对,在生活上给予扶持、情感上给予关爱、安全上给予关照。"
    assert listed_run(sentence, 3) == ["生活上给予扶持", "情感上给予关爱", "安全上给予关照"]
    assert listed_run(sentence, 4) == []


def test_the_quoted_names_carrying_the_questions_words_are_the_list():
    from qa.answer import _sentence_items

    query = parse("甲城工作的总体布局是哪三块（几个行动、几大工程、几项保障）？", CATALOG)
    sentence = "甲城聚焦服务中心、服务妇女、服务家庭,实施“四个攻坚行动”,提升“三大工程”,强化“三项保障”,开展“攻坚年”。"
    assert _sentence_items(query, sentence) == ["“四个攻坚行动”", "“三大工程”", "“三项保障”"]
    own = parse("甲城的“爱心妈妈”从哪三个方面照顾儿童？", CATALOG)  # names holding its own quoted name are no answer
    sentence = "“爱心妈妈”服务队获评“十佳爱心妈妈”,“爱心”项目获评“最受欢迎项目”,在生活上扶持、情感上关爱、安全上关照。"
    assert _sentence_items(own, sentence) == ["生活上扶持", "情感上关爱", "安全上关照"]
    assert items_in("用“齐心”共筑抗“疫”家园力量。") == []  # a one-character quote is part of a word, not an item


@pytest.mark.parametrize(
    ("question", "actions"),
    [
        ("甲城培训了多少妇女？", ("培训",)),
        ("甲城捐赠或募集了多少钱？", ("募集", "捐赠")),
        ("甲城的健康保险一共赔出去多少理赔金？", ()),  # a direction after the verb is no action
        ("甲城结对春蕾学子筹到了多少钱？", ()),  # a getting verb (…到) names no action to find
        ("甲城开展了多少场活动？", ()),  # a light verb
        ("甲城这些活动线上线下加起来有多少人参与？", ()),  # 「加起来」 sums, it is no action
        ("甲城劝返失联儿童多少名？", ("劝返",)),  # the verb before the counted thing (失联 is its attribute)
        ("甲城手工编织大赛一共有多少人报名参赛？", ("报名",)),  # the verb after the counted people
        ("甲城的服务队是由多少人组成的？", ()),  # 组成 names no action
        ("甲城有多少人参加了讲座？", ()),  # a light verb after the counted people
        ("甲城活动中心里面还有多少间活动室？", ()),  # 还有 is no action
    ],
)
def test_the_asked_action(question, actions):
    from qa.focus import asked_action

    assert asked_action(normalize(question)) == actions


def test_which_one_of_a_series_is_answered_with_its_ordinal():
    from qa.answer import asked_ordinal

    sentence = "开展第五批示范家长学校评定,成功创建6所学校。"
    assert asked_ordinal(normalize("示范家长学校评定进行到了第几批？"), sentence) == "第五批"
    assert asked_ordinal(normalize("创建了多少所学校？"), sentence) == ""
    activity = "开展写一句祝福、送一件礼物的“关爱留守儿童”三个一活动。"
    assert asked_ordinal(normalize("甲城关爱留守儿童开展的是“几个一”活动？"), activity) == "三个一"


def test_a_heading_names_the_topic_and_its_body_is_the_evidence():
    from core.types import ChunkMeta, StoredChunk
    from qa.evidence import score_candidates
    from qa.lexical import Idf
    from qa.retrieve import Hit

    text = "三是拓宽巾帼好产品销售渠道。\n组织电商直播,拓宽巾帼好产品销售渠道。"
    chunk = StoredChunk("c1", text, ChunkMeta(doc="a.txt", city="甲城", section=""))
    query = parse("甲城有没有拓宽巾帼好产品的销售渠道？", CATALOG)
    heading, body = sorted(score_candidates(query, [Hit(chunk, 1.0)], Idf([text])), key=lambda c: c.start)
    assert body.score > heading.score and heading.lex >= body.lex  # as many words, but a numbered heading line


def test_a_claimed_count_written_in_chinese_numerals_is_stated():
    from core.types import ChunkMeta, StoredChunk
    from qa.evidence import score_candidates
    from qa.lexical import Idf
    from qa.retrieve import Hit

    text = "指导每个乡镇至少创建一个百人以上家长群。\n开展家庭教育讲座6场。"
    chunk = StoredChunk("c1", text, ChunkMeta(doc="a.txt", city="甲城", section=""))
    query = parse("甲城是否要求每个乡镇创建100人以上的家长群？", CATALOG)
    written, other = sorted(score_candidates(query, [Hit(chunk, 1.0)], Idf([text])), key=lambda c: c.start)
    assert written.figure is None and written.score > other.score  # 百人 states the claimed 100 without digits


def test_a_figures_own_noun_after_it_and_a_shared_one():
    from qa.evidence import best_figure

    villages = parse("甲城有多少个行政村挂了妇女之家的牌子？", CATALOG)
    sentence = "我市2491个行政村和105个社区进行了“妇女之家”统一挂牌。"
    fig, _ = best_figure(villages, sentence, {}, focus_of(villages))
    assert fig is not None and fig.text == "2491个"  # 行政村 is the first figure's own noun
    from qa.evidence import _own_before

    shared = "分别开展12场和40场普法宣讲。"
    forty = next(f for f in find_figures(shared) if f.text == "40场")
    assert _own_before(shared, forty, "分别开展12场和") == "分别开展12场和"  # a shared noun: nothing is cut
    hundred = next(f for f in find_figures(sentence) if f.text == "105个")
    assert _own_before(sentence, hundred, "我市2491个行政村和") == ""


def test_an_english_description_picks_the_quoted_name_it_describes():
    sentence = "联合“和风”服务队开展“慧家”周末妈妈沙龙进社区活动、“家风”讲座等。"
    question = "what is the name of the weekend salon for mothers held in communities?"
    words = ["周末", "母亲", "妈妈", "沙龙", "社区", "称号"]  # the question's words through the dictionary
    assert find_span("name", question, sentence, words) == "“慧家”周末妈妈沙龙进社区"
    assert find_span("name", question, sentence, ["周末"]) != "“慧家”周末妈妈沙龙进社区"  # one word is no description


def test_a_run_named_by_the_questions_words_is_the_list():
    from qa.answer import _labelled_run

    sentence = "组织宣讲200余场次,发放创建明白纸、宣传画、环保购物袋等各类宣传资料28.5万份,招募4家专业机构。"
    assert items_in(sentence) == ["创建明白纸", "宣传画", "环保购物袋"]  # no leading verb, nothing after 等
    assert _labelled_run(parse("甲城发的宣传资料具体有哪几种？", CATALOG), sentence)
    assert not _labelled_run(parse("甲城发的宣传资料具体有哪几种？", CATALOG), "开展宣讲、培训、走访等活动。")


def test_counts_written_in_chinese_numerals():
    from qa.figures import cn_counts
    from qa.query import chinese_claims

    assert chinese_claims("是不是已经连续五年举办家庭文化节了？") == ["5年"]
    assert chinese_claims("是不是实施了两个规划？") == [] and chinese_claims("是不是开展了“三个一”活动？") == []
    assert [(t, v) for t, v, _ in cn_counts("连续六年举办,实施“三个一”活动,第五批")] == [("六年", 6.0)]


def test_english_claims_count_places_and_schools():
    assert english_claims("did the teams visit 44 townships and sub-districts?") == ["44个"]
    assert english_claims("were 12 schools given libraries?") == ["12所"]
    assert question_type("in the survey for its 'breaking difficulties' reform drive, did the teams visit 44 "
                         "townships?", "en") == "yesno"  # a long opening phrase before the auxiliary


def test_an_uncounted_list_from_the_numbered_section_its_heading_opens():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import ExtractiveAnswerer
    from qa.evidence import Candidate
    from qa.lexical import Idf
    from qa.retrieve import Hit

    texts = ["三、实施巾帼“双创”攻坚行动,贡献巾帼力量", "构建示范引领、平台搭建于一体的服务体系。",
             "一是强化人才培养,提高素质。二是加强对接合作,注入活水。三是突出重点群体。\n四、维护权益\n一是普法。"]
    chunks, at = [], 0
    for i, text in enumerate(texts):
        chunks.append(StoredChunk(f"c{i}", text, ChunkMeta(doc="r.txt", start=at, end=at + len(text))))
        at += len(text) + 1
    answerer = ExtractiveAnswerer(lambda: Idf([]), doc_chunks=lambda doc: chunks)
    query = parse("甲城巾帼“双创”攻坚行动分成了哪几个方面？", CATALOG)
    intro = Candidate(Hit(chunks[1], 1.0), 0, 0, len(texts[1]), texts[1], score=0.50)
    heading = Candidate(Hit(chunks[0], 1.0), 0, 0, len(texts[0]), texts[0], score=0.47)
    assert answerer._heading_of_list(query, [intro, heading]) is heading
    extra: list[Candidate] = []
    assert answerer._section_list(query, heading, 0, extra) == ["强化人才培养", "加强对接合作", "突出重点群体"]
    assert {c.hit.chunk.id for c in extra} == {"c2"}  # the items' passage is cited
    counted = parse("甲城巾帼“双创”攻坚行动分成了哪五个方面？", CATALOG)
    assert answerer._heading_of_list(counted, [intro, heading]) is None  # a counted list is matched by its count


def test_a_count_whose_items_end_with_quoted_words():
    from qa.lists import quoted_head

    norm = normalize("甲城維護權益的工作分成哪三個「相結合」？")
    assert headed_phrase(norm) == ("三个「相结合」", "相结合") and quoted_head(norm)
    text = "二、维护权益\n1. 顶层设计与普法相结合。\n开设讲座。\n2. 维权与队伍建设相结合。\n3. 帮扶与项目推进相结合。"
    found = headed_items(text, "三个「相结合」", "相结合", 3)
    assert [item for _, item in found] == ["顶层设计与普法相结合", "维权与队伍建设相结合", "帮扶与项目推进相结合"]
    assert not quoted_head(normalize("甲城专门寻找了哪三类“最美”家庭？"))  # the quote qualifies 家庭


def test_an_english_name_question_prefers_a_sentence_holding_a_name_of_its_type():
    from qa.spans import english_type_ends

    assert english_type_ends("which chain of poverty-relief stores opened outlets?") == ("超市", "商店", "店")
    assert english_type_ends("how many stores opened?") == ()


@pytest.mark.parametrize("question", ["How long did it take to sell 8,000 bottles?", "卖出8000瓶用了多长时间？"])
def test_how_long_asks_a_span_of_time(question):
    query = parse(question, CATALOG)
    assert query.qtype == "numeric" and query.unit == "秒"
    assert figure_for(question, "主推的牛肉在14个市州排名第二,2分45秒卖出8000瓶。") == "2分45秒"


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("甲城直播的点赞数有没有超过1800万次？", "是"),
        ("甲城直播的点赞数有没有超过1000万次？", "是"),
        ("甲城直播的点赞数有没有超过2000万次？", "否。报告没有写到"),  # 超1800万 says nothing of 2000万
        ("甲城直播的点赞数是不是不到1000万次？", "否。报告写的是1800万次"),
    ],
)
def test_a_bounded_claim_against_a_figure_the_report_bounds_too(question, start):
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import ExtractiveAnswerer
    from qa.evidence import Candidate
    from qa.lexical import Idf
    from qa.plan import Options
    from qa.retrieve import Hit

    sentence = "直播观看量超200万,获点赞数超1800万次。"
    chunk = StoredChunk("c", sentence, ChunkMeta(doc="a.txt", start=0, end=len(sentence)))
    best = Candidate(Hit(chunk, 1.0), 0, 0, len(sentence), sentence)
    answerer = ExtractiveAnswerer(lambda: Idf([]))
    answer = answerer._yesno(parse(question, CATALOG), best, sentence, "1", Idf([]), Options())
    assert answer.startswith(start), answer


def test_a_counted_list_question_prefers_a_near_sentence_numbering_its_list_so():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _fitting_list
    from qa.evidence import Candidate
    from qa.lists import counts_itself
    from qa.retrieve import Hit

    other = "开展“最美民宿”及“最美女主人”寻访、“金牌月嫂”技能大赛等系列主题活动。"
    numbered = "持续开展“维权周”“禁毒日”“反家暴周”三大主题普法宣传活动,联合法院举行开放日活动。"
    assert counts_itself(numbered, 3) and not counts_itself(other, 3) and not counts_itself(numbered, 4)
    cands = []
    for i, (text, score) in enumerate(((other, 0.935), (numbered, 0.931))):
        chunk = StoredChunk(f"c{i}", text, ChunkMeta(doc="r.txt", start=0, end=len(text)))
        cands.append(Candidate(Hit(chunk, 1.0), 0, 0, len(text), text, score=score))
    query = parse("Which three themed legal-awareness campaigns does Jiacheng run every year?", CATALOG)
    assert _fitting_list(query, cands, cands[0]) is cands[1]


def test_the_digits_of_a_quoted_name_are_no_answer():
    assert figure_for("甲城组建了多少个姐妹帮帮团？", "组建“3+1姐妹帮帮团”1471个,结对贫困户1505户。") == "1471个"


def test_a_list_question_naming_its_group_takes_a_run_the_report_names_so():
    from qa.lists import asked_group, typed_run

    assert asked_group("哪些报纸采用过甲城妇联的稿件？") == "报纸"
    assert asked_group("甲城妇联在哪些媒体平台上发了稿？") == "媒体平台"
    assert asked_group("甲城的三大工程是哪三个？") == ""  # a counted list is matched by its count
    titles = "被《甲城日报》《乙城晚报》《妇女报》等媒体采稿105次;"
    sites = "在学习强国、甲城新闻网、红网等媒体发稿336条。"
    assert typed_run(titles, "报纸") == ["《甲城日报》", "《乙城晚报》", "《妇女报》"]  # titles ending 报
    assert typed_run(sites, "媒体平台") == ["学习强国", "甲城新闻网", "红网"]  # a run closed by 等媒体
    assert typed_run(titles, "媒体平台") == [] and typed_run(sites, "报纸") == []
    posts = "擦亮“幸福护航”婚姻家庭品牌,打造“圆成屋”“七色花”婚姻家庭辅导驿站等调解站点。"
    assert typed_run(posts, "婚姻家庭辅导") == ["“圆成屋”", "“七色花”"]  # the names the words after them type
    assert typed_run(posts, "读书会") == []


def test_a_list_of_the_asked_group_is_answered_from_a_top_passage(fresh_settings, embedder):
    from tests.conftest import make_system

    report = (
        "甲城市妇联2024年工作总结\n一、宣传工作\n全年推送信息338篇。被《甲城日报》《乙城晚报》《妇女报》等媒体采稿105次。\n"
    )
    system = make_system(fresh_settings, embedder)
    system.reports.add("jiacheng.txt", report.encode())
    answer = system.service.ask("哪些报纸采用过甲城妇联的稿件？")
    assert answer.found and "《甲城日报》、《乙城晚报》、《妇女报》" in answer.answer


def test_a_later_item_shares_only_the_opening_of_the_first_items_words():
    sentence = "全市共配备市级挂职副主席1名、兼职副主席3名,配备镇级兼职副主席50名。"
    figures = find_figures(sentence)
    assert label_of(sentence, figures[1], figures).lead == "全市共配备市级"  # not 挂职, the first item's own
    assert figure_for("甲城市级挂职副主席有几名？", sentence) == "1名"
    assert figure_for("甲城市级兼职副主席有几名？", sentence) == "3名"


def test_a_count_in_chinese_numerals_is_not_passed_over():
    from core.types import ChunkMeta, StoredChunk
    from qa.evidence import score_candidates
    from qa.lexical import Idf
    from qa.retrieve import Hit

    text = "连续四年推出“带妈妈去旅行”母亲节活动。\n全年举办亲子活动20场。"
    chunk = StoredChunk("c1", text, ChunkMeta(doc="a.txt", city="甲城", section=""))
    asked = ("甲城“带妈妈去旅行”活动连续办了几年？", "For how many years in a row has Jiacheng run 带妈妈去旅行?")
    for question in asked:
        query = parse(question, CATALOG)
        written, other = sorted(score_candidates(query, [Hit(chunk, 1.0)], Idf([text])), key=lambda c: c.start)
        assert written.figure is None and written.score > other.score, question


def test_a_count_in_chinese_numerals_is_stated_as_written(fresh_settings, embedder):
    from tests.conftest import make_system

    report = "甲城市妇联2024年工作总结\n一、家庭工作\n采用项目化认领形式连续四年推出“带妈妈去旅行”情暖母亲节活动。\n"
    system = make_system(fresh_settings, embedder)
    system.reports.add("jiacheng.txt", report.encode())
    answer = system.service.ask("甲城“带妈妈去旅行”活动连续办了几年？")
    assert answer.found and answer.answer.startswith("四年")


@pytest.mark.parametrize(
    ("question", "claims", "bounds"),
    [
        ("Did they donate more than one million yuan in cash?", ["1000000元"], [">"]),  # a number in words
        ("Did they donate over 1,000,000 yuan?", ["1000000元"], [">"]),  # with separators
        ("Did they give 500,000 yuan?", ["500000元"], [""]),
        ("Did they raise one million yuan or more?", ["1000000元"], [">="]),  # a bound after a number in words
        ("Does every township set up at least one group with 100 or more members?", ["100人"], [">="]),
    ],
)
def test_english_claims_read_numbers_in_words_and_bounds_after_them(question, claims, bounds):
    norm = normalize(question)
    assert english_claims(norm) == claims
    assert [claim_bound(norm, c) for c in claims] == bounds


def test_english_counts_and_rates_are_numeric_questions_of_their_unit():
    from qa.query import expected_unit

    assert question_type("what interest rate did the loans carry?", "en") == "numeric"
    assert expected_unit("how many cases did the hotline handle", "en") == "件"  # cases handled
    assert expected_unit("how many cases of milk powder were given", "en") == "箱"  # cases of goods
    assert expected_unit("how many articles did it put out on wechat", "en") == "篇"


def test_a_hotlines_number_is_no_figure():
    assert [f.text for f in find_figures("处理12338维权热线125件,拨打12345热线,服务3000人次")] == ["125件", "3000人次"]


def test_a_claimed_count_stated_with_another_measure_word_is_checked():
    from qa.answer import _counted_so

    query = parse("Did ten county-level federation chairs act as hosts?", CATALOG)
    query = dataclasses.replace(query, glosses={"chairs": ("主席",)})
    assert _counted_so(query, "10个县市区妇联主席化身主播带货助农", 10.0)
    assert not _counted_so(query, "10个县市区开展直播带货", 10.0)


def test_a_figure_written_with_the_quoted_thing_counted_is_shaped_evidence():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _counts_it
    from qa.evidence import Candidate
    from qa.retrieve import Hit

    query = parse("甲城活动中心里一共设了几个「中心」？", CATALOG)
    focus = focus_of(query)
    assert focus.thing[0] == "中心"  # the quoted thing, without its marks
    sentence = "中心设有健康服务中心、维权服务中心等7个中心,内含公益培训室11间。"
    chunk = StoredChunk("c0", sentence, ChunkMeta(doc="r.txt", start=0, end=len(sentence)))
    cand = Candidate(Hit(chunk, 1.0), 0, 0, len(sentence), sentence)
    cand.figure, _ = best_figure(query, sentence, {}, focus)
    assert cand.figure is not None and cand.figure.text == "7个" and _counts_it(focus, cand)


def test_which_edition_asks_the_ordinal_the_report_writes():
    from qa.figures import asked_numbered

    norm = normalize("Which edition was Jiacheng's anti-domestic-violence orienteering race?")
    assert question_type(norm, "en") == "numeric"
    pattern = asked_numbered(norm)
    assert pattern is not None and pattern.search("举办甲城第四届反家暴城市定向赛").group(0) == "第四届"


def test_what_an_english_question_sets_aside_qualifies_nothing():
    query = parse("Besides cash and toys, how many items of school supplies did Jiacheng's feature raise?", CATALOG)
    sentence = "目前共募捐救助资金2.16万元,玩具30件,学习用品20件,70名贫困女童受益。"
    query = dataclasses.replace(query, glosses={"toys": ("玩具",), "supplies": ("用品",), "cash": ("现金",)})
    assert "玩具" not in focus_of(query).qualifiers
    fig, _ = best_figure(query, sentence, {}, focus_of(query))
    assert fig is not None and fig.text == "20件"


def test_a_quoted_question_word_asks_nothing():
    assert parse("甲城把“妇联执委是否列席并签到”写进了哪一份检查细则？", CATALOG).qtype == "entity"
    assert parse("甲城有没有“妇联执委”？", CATALOG).qtype == "yesno"


def test_a_name_an_english_question_quotes_is_not_the_answer():
    from qa.bilingual import quoted_glosses

    norm = normalize("What was the name of the reading session at which Jiacheng read 'Xi Jinping Walks into Homes'?")
    found = {"xi jinping": ("习近平",), "reading": ("阅读",), "homes": ("家园",)}
    given = quoted_glosses(norm, found)
    assert given == ("习近平", "家园")
    sentence = "举办“齐学习 共奋斗”——《习近平走进百姓家》读书分享会,推动精神走进千家万户。"
    assert find_span("name", norm, sentence, [], (), (), given) == "“齐学习 共奋斗”"


def test_english_claims_of_durations_cases_and_problems():
    from qa.query import english_claims

    assert english_claims("did the beef sell 8,000 bottles in 3 minutes?")[0] == "3分钟"
    assert english_claims("did it sell out in 2 minutes 45 seconds?") == ["2分45秒"]
    assert english_claims("did the hotline handle 125 cases?") == ["125件"]
    assert english_claims("did they donate 300 cases of milk?") == ["300箱"]
    assert english_claims("did they solve more than 50 problems?") == ["50个"]
    assert english_claims("did the centre free up 2,000 square metres for a square?") == ["2000平方米"]


def test_a_claimed_figure_stated_with_the_claims_own_words():
    from qa.answer import _stated_so

    sentence = "寻找失联儿童70多名,劝返30名,帮助6名失踪孩子回归家庭。"
    figures = find_figures(sentence)
    found = figures[0]  # 70多名, the figure more of the claim's words describe
    claim = parse("甲城劝返失联儿童30名吗？", CATALOG)
    assert _stated_so(claim, sentence, find_figures("30名"), found, focus_of(claim))
    other = parse("甲城寻找失联儿童30名吗？", CATALOG)
    assert not _stated_so(other, sentence, find_figures("30名"), found, focus_of(other))
    english = parse("Did Jiacheng persuade 30 missing children to return?", CATALOG)
    glossed = dataclasses.replace(english, glosses={"persuade": ("劝返",), "children": ("儿童",)})
    assert _stated_so(glossed, sentence, find_figures("30名"), found, focus_of(glossed))
    parts = "组建妇联组织562个,其中妇联69个、妇女之家292个、妇女微家201个。"
    home = parse("甲城的妇女之家是不是201个？", CATALOG)
    chosen = find_figures(parts)[0]
    assert not _stated_so(home, parts, find_figures("201个"), chosen, focus_of(home))


def test_an_english_partner_is_a_body_not_a_verbs_gloss():
    evidence = "与农商银行联合推出“丽人贷”妇女专属信贷产品。"
    claim = normalize("Did Jiacheng launch the Liren loan together with the rural commercial bank?")
    assert contradiction(claim, evidence, ("开展", "创办", "一起", "商务", "银行")) == ""
    other = normalize("Did Jiacheng launch it with the construction bank?")
    assert contradiction(other, evidence, ("创办", "建设银行")) == "农商银行"


def test_the_quoted_name_after_the_verb_a_question_asks_the_object_of():
    from qa.spans import verb_object

    sentence = "通过制定村妇联“任务清单”、评选“最美村妇联主席”等方式,提升履职能力。"
    assert verb_object(sentence, normalize("甲城为提升履职能力，评选了什么？")) == "“最美村妇联主席”"
    assert verb_object(sentence, normalize("甲城制定了什么？")) == "“任务清单”"
    assert verb_object(sentence, normalize("甲城提升了什么？")) == ""  # no name after the verb


def test_an_english_type_of_contest_or_park_names_the_quoted_name():
    from qa.spans import english_type_ends, typed_name

    sentence = "开展“最美巾帼民宿”寻访、“金牌月嫂”技能大赛等系列主题活动。"
    norm = normalize("What skills contest did Jiacheng hold for maternity nurses?")
    assert typed_name(sentence, english_type_ends(norm), norm) == "“金牌月嫂”"


def test_a_date_question_and_a_clause_opened_by_when():
    assert asked_kind(normalize("甲城的专题调研是几月开展的？")) == "date"
    assert asked_kind(normalize("When did Jiacheng open its centre?")) == "date"
    assert asked_kind(normalize("Which department did Jiacheng add when it reshuffled its departments?")) != "date"


def test_a_date_asked_in_chinese_is_a_name_of_a_day():
    for question in ("甲城的换届数字是统计到哪一天为止的？", "甲城的巡回宣讲是在几月份？"):
        query = parse(question, CATALOG)
        assert query.qtype == "entity" and asked_kind(query.norm) == "date"
    month = find_span("date", normalize("甲城的巡回宣讲是在几月份？"), "7月,邀请医疗专家团开展巡回宣讲。", [])
    assert month == "7月"
    day = find_span("date", normalize("统计到哪一天为止？"), "截至2月9日,完成换届1364个,占比98.13%。", [])
    assert day == "2月9日"


def test_an_english_claim_after_a_leading_phrase_with_commas():
    query = parse("In its 2018 funding for women, children and families, did Jiacheng fund 16 projects?", CATALOG)
    assert query.qtype == "yesno"
    assert parse("In 2020, how many women, children and families did Jiacheng help?", CATALOG).qtype == "numeric"


def test_the_numbered_headings_an_evidence_heading_line_opens():
    text = "凝聚巾帼力量,发挥半边天作用\n1. 筑牢防疫战线。\n正文。\n2. 维护经济发展。\n正文。\n3. 助力脱贫攻坚。\n"
    found = section_items(text, 0, 3, ["巾帼力量", "半边天"])
    assert [item for _, item in found] == ["筑牢防疫战线", "维护经济发展", "助力脱贫攻坚"]


def test_a_list_of_items_opening_with_a_word_the_question_quotes_anywhere(service):
    from qa.lists import opening_items

    text = "一是强化顶层设计,突出宣传。二是强化资源统筹,突出推进。三是强化示范引领,突出机制。"
    query = parse("甲城“美丽庭院”创建分三点推进，分别“强化”了哪三个方面？", CATALOG)
    assert query.qtype == "list"
    quoted = ["美丽庭院", "强化"]
    found = next((o for q in quoted if (o := opening_items(text, q, 3))), [])
    assert [i for _, i in found] == ["强化顶层设计", "强化资源统筹", "强化示范引领"]
    ans = service.ask("东营搞“美丽庭院”，“强化”的是哪三项工作？")  # end to end, over the seed reports
    assert ans.found and all(i in ans.answer.split("——")[0] for i in ("顶层设计", "资源统筹", "示范引领")), ans.answer


def test_an_owner_written_with_county_is_a_place_no_report_covers():
    from qa.query import _unknown_owners

    catalog = Catalog(cities={"乐清": ["a.txt"]})
    assert _unknown_owners("How much did the Yongjia County women's federation allocate?", catalog) == ["Yongjia"]


def test_an_english_session_asks_its_number_as_the_report_writes_it():
    from qa.figures import asked_numbered

    pattern = asked_numbered("which session of the national women's congress was it?")
    assert pattern is not None and pattern.search("中国妇女第十二次全国代表大会")


def test_an_english_ordinal_question_expects_no_unit():
    assert parse("Which session of the women's congress was the national one?", CATALOG).unit == ""


def test_a_yes_no_claim_is_checked_where_its_names_are_written():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _unnamed_claim, written_names
    from qa.evidence import Candidate
    from qa.retrieve import Hit

    def cands(*texts: str) -> list[Candidate]:
        out = []
        for i, text in enumerate(texts):
            chunk = StoredChunk(f"c{i}", text, ChunkMeta(doc="r.txt", start=0, end=len(text)))
            out.append(Candidate(Hit(chunk, 1.0), 0, 0, len(text), text, score=1.0 - i / 10))
        return out

    assert written_names(parse("甲城开展的是“助力扶贫 关爱儿童”活动吗？", CATALOG)) == ["助力扶贫关爱儿童"]
    assert written_names(parse("Did Jiacheng run the 'Huijia' (慧家) salon?", CATALOG)) == ["慧家"]
    other = "“美丽庭院”创建做法被报道。"
    numbered = "“美丽庭院”创建中组织“开展一次卫生大清扫”等“六个一”活动。"
    five = parse("甲城在“美丽庭院”创建中开展的是“五个一”活动吗？", CATALOG)
    found = cands(other, numbered)
    assert _unnamed_claim(five, found, found[0]) == (found[1], ["五个一"])  # a name it nearly writes
    six = parse("甲城在“美丽庭院”创建中开展的是“六个一”活动吗？", CATALOG)
    assert _unnamed_claim(six, found, found[0]) == (found[0], [])  # written: the scored best stays
    unknown = parse("甲城开展的是“七星花园”活动吗？", CATALOG)
    assert _unnamed_claim(unknown, found, found[0]) == (found[0], ["七星花园"])  # written nowhere: 否
    apart = parse("甲城“美丽庭院”创建中开展了“六个一”活动和“积分超市”吗？", CATALOG)
    shop = cands(other, "领办“积分超市”43处。", numbered)
    assert _unnamed_claim(apart, shop, shop[0]) == (shop[0], [])  # each written, in different sentences: left as it is


def test_names_ending_with_a_quoted_word_nearest_the_evidence():
    from qa.lists import closing_items, closing_word

    assert closing_word("甲城的三件事分别是用哪几个“心”来概括的？") == "心"
    assert closing_word("甲城要给活动聚起哪三种「气」？") == "气"
    assert closing_word("甲城开展了哪些活动？") == "" and closing_word("分别“强化”了哪三个方面？") == ""
    assert closing_word("甲城的“三个一”活动分别是哪三个“一”？") == ""  # a numeral counts, it ends no name
    text = "用“齐心”守防线。开展“心连心”行动,用“暖心”助复产。" + "。" * 2000 + "用“爱心”凝聚力量。再说“童心”。"
    assert [i for _, i in closing_items(text, "心", 0)] == ["齐心", "暖心"]  # one run; “心连心” is no such name
    assert [i for _, i in closing_items(text, "心", len(text) - 5)] == ["爱心", "童心"]  # the run nearest
    assert [i for _, i in closing_items(text, "心", len(text) - 5, count=1)] == ["童心"]
    at, item = closing_items(text, "心", 0)[1]
    assert text[at : at + len(item)] == "暖心"


def test_a_counted_list_from_the_section_a_heading_naming_the_questions_words_opens(fresh_settings, embedder):
    from tests.conftest import make_system

    report = (
        "甲城市妇联2024年工作总结\n"
        "2024年,甲城市妇联聚焦服务中心、服务妇女、服务家庭,提升“三大工程”。\n"
        "三、提升妇女儿童权益维护工程,营造良好发展环境\n"
        "一是推动妇女儿童发展规划实施。确定试点学校8所。\n"
        "二是开展权益维护法治宣传活动。开展宣传月活动12场。\n"
        "三是推进妇女儿童实事项目实施。建成儿童之家20个。\n"
    )
    system = make_system(fresh_settings, embedder)
    system.reports.add("jiacheng.txt", report.encode())
    question = "Under Jiacheng's project (妇女儿童权益维护工程), what three lines of work does it list?"
    answer = system.service.ask(question)
    items = "推动妇女儿童发展规划实施、开展权益维护法治宣传活动、推进妇女儿童实事项目实施"
    assert answer.found and items in answer.answer


def test_a_total_the_question_states_and_what_it_does_not_count_are_not_asked():
    # 「累计87所…中」 states the total: the part is asked (not the total its 累计 writes)
    assert figure_for("甲城累计87所“母亲学堂”中，当年新建的有几所？", "全年新建学堂3所,累计87所。") == "3所"
    assert focus_of(parse("甲城累计培训了多少人？", CATALOG)).total == "累计"
    aside = focus_of(parse("甲城（不算市妇联本级新增的2名执委）一共增设了多少名执委？", CATALOG)).aside
    assert "不算" in aside and "新增" in aside and "执委" not in aside  # what it sets aside, not the counted thing


def test_the_name_beside_the_figure_the_question_states():
    from qa.answer import _figure_piece

    sentence = "全年推出微信公众号338篇、“甲城女性”发布信息1373条、《乙城女性》采用信息1146条;"
    question = "甲城妇联在哪个平台发布了1373条信息？"
    assert asked_kind(question) == "name"  # 在哪个平台 asks a name, 在哪里 a place
    assert asked_kind("甲城的展区设在哪里？") == "place"
    assert _figure_piece(question, sentence) == "“甲城女性”发布信息1373条"
    assert find_span("name", question, _figure_piece(question, sentence), [], (), (), ()) == "“甲城女性”"
    assert _figure_piece("甲城妇联在哪个平台发布了信息？", sentence) == ""  # no figure stated
    assert _figure_piece(question, "“甲城女性”发布信息1373条。") == ""  # one figure: the whole sentence


def test_a_run_of_items_cut_by_a_semicolon_is_one_list():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _list_items, _run_before
    from qa.evidence import Candidate
    from qa.plan import Options
    from qa.retrieve import Hit

    text = "近年来,我们通过培育女能手、带头人、建功标兵;示范村、文明岗、文明家庭等典型示范活动,增强典型引领作用。"
    chunk = StoredChunk("c1", text, ChunkMeta(doc="a.txt", start=0, end=len(text)))
    start = text.index("示范村")
    second = Candidate(Hit(chunk, 1.0), 0, start, len(text), text[start:])
    joined = _run_before(second)
    assert joined.text == text[text.index("近年来") :]
    query = parse("甲城通过培育哪些典型示范来增强典型引领作用？", CATALOG)
    items = ["女能手", "带头人", "建功标兵", "示范村", "文明岗", "文明家庭"]
    assert _list_items(query, joined, Options()) == items
    lone = "开展培训;示范村、文明岗等活动。"  # the sentence before has no 、-run of its own: left alone
    other = StoredChunk("c2", lone, ChunkMeta(doc="a.txt", start=0, end=len(lone)))
    cand = Candidate(Hit(other, 1.0), 0, 5, len(lone), lone[5:])
    assert _run_before(cand) is cand


def test_a_run_closed_by_the_questions_quoted_name_and_the_sentence_writing_that_name():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _writing_terms
    from qa.evidence import Candidate
    from qa.lists import closed_run
    from qa.retrieve import Hit

    sentence = "创新打造机关党建品牌,先后组织专题学习会、中心组学习、书记讲党课等“机关课堂”30余场次。"
    assert closed_run(sentence, "机关课堂") == ["专题学习会", "中心组学习", "书记讲党课"]
    assert closed_run(sentence, "板凳课堂") == []
    sibling = "用活“板凳课堂”“庭院微宣讲”等宣讲形式。"
    cands = []
    for i, (text, score) in enumerate(((sibling, 0.61), (sentence, 0.52), ("开展活动30场。", 0.3))):
        chunk = StoredChunk(f"c{i}", text, ChunkMeta(doc="r.txt", start=0, end=len(text)))
        cands.append(Candidate(Hit(chunk, 1.0), 0, 0, len(text), text, score=score))
    query = parse("甲城的“机关课堂”包括哪几种学习形式？", CATALOG)
    assert query.terms == ["机关课堂"] and _writing_terms(query, cands) is cands[1]
    far = [cands[0], dataclasses.replace(cands[1], score=0.40)]
    assert _writing_terms(query, far) is far[0]  # too far below the best: left to the refusal


def test_a_sentence_writing_a_year_the_report_looks_back_on():
    from core.types import ChunkMeta, StoredChunk
    from qa.answer import _writing_terms
    from qa.evidence import Candidate
    from qa.retrieve import Hit

    texts = (("扶持女性创业项目20余万元。", 0.94), ("开展2018年度公益项目创投,对11个入围项目予以立项资助。", 0.88))
    cands = []
    for i, (text, score) in enumerate(texts):
        chunk = StoredChunk(f"c{i}", text, ChunkMeta(doc="r.txt", start=0, end=len(text)))
        cands.append(Candidate(Hit(chunk, 1.0), 0, 0, len(text), text, score=score))
    query = parse("In its 2018 venture funding, did Jiacheng fund 16 shortlisted projects?", CATALOG)
    assert _writing_terms(query, cands, [2018]) is cands[1]  # 2018 is no report's year, but this one looks back on it
    assert _writing_terms(query, cands) is cands[0]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("甲城这份工作材料的发布日期是哪一天？", True),
        ("甲城这篇报道是几月几日发的讯？", True),
        ("甲城这份材料是2020年3月发布的吗？", True),
        ("When was the Jiacheng report published?", True),
        ("甲城在网上发布了多少条用工岗位信息？", False),  # what was published, not when
        ("甲城在哪个平台发布了1373条信息？", False),
    ],
)
def test_a_question_asking_when_its_page_was_published(question, asked):
    from qa.evidence import published_on
    from qa.query import asks_published

    assert asks_published(parse(question, CATALOG)) is asked
    assert published_on("发布日期: 2020- 03- 11 15 : 57") and published_on("·闪电新闻6月19日讯 今年以来…")
    assert not published_on("全年举办讲座12场。")
    assert find_span("date", normalize(question), "发布日期: 2020- 03- 11 15 : 57", [], (), (), ()) == "2020- 03- 11"


def test_the_figure_an_english_question_states_is_not_the_answer_nor_is_a_total_of_a_stated_figure():
    sentence = "各大领域96项主要统计指标,有69项指标实现中期达标,占目标总数的71.9%。"
    assert figure_for("Of the 96 main statistical indicators, how many met their mid-term targets?", sentence) == "69项"
    divorce = "目前已累计参与离婚调解4600余对,调和成功2100余对。"
    assert figure_for("甲城累计参与的4600余对离婚调解里，调和成功的有多少对？", divorce) == "2100余对"
    assert figure_for("甲城累计参与了多少对离婚调解？", divorce) == "4600余对"
    bases = "选树10名巾帼致富带头人和10个巾帼示范基地。"
    question = "Jiacheng selected 10 women leaders and some bases. How many demonstration bases?"
    assert figure_for(question, bases) == "10个"  # its 10 has a unit: matched with it
